print(int("0x10", 16))
print(int("0x10", 8))
