import math
print(math.floor(-0.5), math.ceil(-0.5), math.sqrt(-0.0), math.fabs(-0.0))
print(math.sqrt(2) ** 2, math.floor(2.9999999), math.ceil(1e-7))
print(math.pow(-2, 3), math.fmod(-7.5, 2), math.hypot(0, 0))
