# x ** 1 is x and x ** -1 is 1/x exactly, as in CPython (not exp(log x)).
import math
w = 8
x = ((1.5e-3 - w) % 100.0) ** 1
print(x, math.pow(x, 1), x ** 1 == x)
print(3.0 ** -1, math.pow(0.1, -1), 7.25 ** 1, (-2.5) ** 1, (-4.0) ** -1)
print(0.1 ** 2, 1.1 ** 0, math.pow(92.0015, 1.0))
