print(int("00", 0))
print(int("010", 0))
