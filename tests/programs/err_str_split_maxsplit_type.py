print("a b".split(None, 1))
print("a b".split(None, "1"))
