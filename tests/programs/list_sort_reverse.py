xs = [3, 1, 2]
xs.sort(reverse=True)
print(xs)
