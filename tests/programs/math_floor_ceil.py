import math
print(math.floor(2.7), math.floor(-2.7), math.ceil(2.1), math.ceil(-2.1))
print(math.floor(5), math.ceil(5.0), math.trunc(-3.9), math.trunc(3.9))
