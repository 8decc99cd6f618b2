print([1, 2] + [3], [0] * 4, 2 * [1, 2])
xs = [1]
xs = xs + xs
print(xs, [] * 3)
