print(int("ff", 16))
print(int("zz", 16))
