for i, c in enumerate("ab"):
    print(i, c)
for i, (a, b) in enumerate(zip([1, 2], [3, 4])):
    print(i, a, b)
