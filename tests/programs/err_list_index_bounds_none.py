print([1, 2].index(2, 0, 2))
print([1, 2].index(2, None))
