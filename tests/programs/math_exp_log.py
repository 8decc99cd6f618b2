import math
print(math.exp(0), math.log(1), math.log10(1000), math.log10(0.01))
print(round(math.exp(1), 4), round(math.log(10), 4), round(math.log(8, 2), 4))
