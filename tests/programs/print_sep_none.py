print(1, 2, sep=None, end=None)
print("x", sep=None)
