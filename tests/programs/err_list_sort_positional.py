xs = [2, 1]
xs.sort()
print(xs)
xs.sort(True)
