print(int("10", 10))
print(int(10, 10))
