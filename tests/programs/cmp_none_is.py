x = None
print(x is None, x is not None, 5 is not None)
y = [1]
z = y
print(y is z, y is [1], y == [1])
