xs = [1, 2, 3]
xs[1:2] = [5]
print(xs)
xs[1:2] = 5
