for a, b in [(1, 2), (3, 4), (5, 6)]:
    print(a + b)
for i, (x, y) in enumerate([(1, 2), (3, 4)]):
    print(i, x * y)
