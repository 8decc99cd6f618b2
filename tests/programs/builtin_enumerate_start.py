for i, x in enumerate(["a", "b"], 1):
    print(i, x)
print(list(enumerate([7, 8], 10)))
