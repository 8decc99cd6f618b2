t = (1, 2, 3)
print(t.index(2, 0, 2))
print(t.index(2, 2))
