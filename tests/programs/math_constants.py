import math
print(math.pi, math.e)
print(math.pi * 2, math.pi / 2)
