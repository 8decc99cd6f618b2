for i, x in enumerate(["a", "b", "c"]):
    print(i, x)
print(list(enumerate("xy")))
