r = range(1, 10, 2)
print(list(r), len(r), r[0], r[-1])
print(3 in r, 4 in r)
print(list(range(5, 0, -1)), list(range(-3)))
