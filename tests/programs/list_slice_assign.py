xs = [0, 1, 2, 3, 4]
xs[1:3] = [9]
print(xs)
xs[:0] = [-1, -2]
print(xs)
