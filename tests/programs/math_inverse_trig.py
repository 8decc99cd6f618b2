import math
print(math.asin(0), math.acos(1), math.atan(0))
print(round(math.asin(1), 4), round(math.acos(0), 4), round(math.atan(1) * 4, 4))
print(round(math.atan2(1, 1), 4), round(math.atan2(-1, -1), 4))
