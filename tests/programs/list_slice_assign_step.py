xs = [0, 1, 2, 3, 4, 5]
xs[::2] = [10, 12, 14]
print(xs)
xs[1::2] = "abc"
print(xs)
xs[::-1] = range(6)
print(xs)
xs[4:1:-1] = (7, 8, 9)
print(xs)
xs[::1] = [1, 2]
print(xs)
xs[1:1:-1] = []
print(xs)
ys = [1, 2, 3, 4]
ys[::2] = ys[::2][::-1]
print(ys)
