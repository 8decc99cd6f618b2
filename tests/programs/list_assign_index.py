xs = [0, 0, 0]
xs[0] = 5
xs[-1] = 7
xs[1] += 3
print(xs)
