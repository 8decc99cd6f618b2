xs = []
xs[::-1] = sorted(xs[::-1])
xs[::2] = []
xs[::-3] = ()
xs[5:] = []
print(xs)
xs[-1:] = [1]
xs[::-1] = [2]
print(xs)
