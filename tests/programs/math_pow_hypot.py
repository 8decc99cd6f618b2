import math
print(math.pow(2, 10), math.pow(9, 0.5), math.pow(2, -1))
print(math.hypot(3, 4), math.hypot(5, 12))
