xs = [1, 2, 3, 4]
xs[-1] = 40
xs[-4] = 10
print(xs)
