import math
print(math.sqrt(16), math.sqrt(2), math.sqrt(0.25), math.sqrt(0))
print(math.sqrt(1e10), math.sqrt(3))
