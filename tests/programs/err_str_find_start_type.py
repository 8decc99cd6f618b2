print("abc".find("b", 1))
print("abc".find("b", "1"))
