xs = [1, 2, 3]
xs.insert(0, 0)
xs.insert(2, 1.5)
xs.insert(100, 9)
xs.insert(-1, 8)
print(xs)
