xs = [1, 2]
xs.extend([3, 4])
xs.extend((5,))
print(xs, xs.count(2), [1, 1, 2, 1].count(1))
