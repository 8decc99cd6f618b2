print("a b c d".split(None, 1), "a,b,c".split(",", 1))
print("a,b,c".split(",", 0), "x".split(",", 5))
