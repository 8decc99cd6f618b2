import math
print(math.sin(0), math.cos(0), math.tan(0))
print(round(math.sin(math.pi / 6), 4), round(math.cos(math.pi / 3), 4))
print(round(math.tan(math.pi / 4), 4), round(math.sin(1), 4))
