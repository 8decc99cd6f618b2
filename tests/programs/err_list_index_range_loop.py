# An index out of range is an IndexError, after in-range ones.
xs = [1, 2, 3]
for i in [2, -3, 3]:
    print(xs[i])
