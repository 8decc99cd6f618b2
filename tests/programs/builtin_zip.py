print(list(zip([1, 2, 3], "abc")))
print(list(zip([1, 2], [3, 4, 5], [6, 7])))
for a, b in zip("xy", [1, 2]):
    print(a, b)
print(list(zip()))
