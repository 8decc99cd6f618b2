xs = [1, 2, 1]
print(xs.index(1, 1))
print(xs.index(2, 2))
