t = (1, 2, 3)
print(t.count(1))
print(t.count())
