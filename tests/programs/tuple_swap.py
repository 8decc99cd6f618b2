a = 1
b = 2
a, b = b, a
print(a, b)
xs = [1, 2, 3]
xs[0], xs[2] = xs[2], xs[0]
print(xs)
