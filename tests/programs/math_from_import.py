from math import sqrt, pi, floor
print(sqrt(49), floor(pi))
