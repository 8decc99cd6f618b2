import math
print(math.fabs(-3), math.fabs(2.5), math.fmod(7, 3), math.fmod(-7, 3))
print(math.fmod(7.5, 2))
