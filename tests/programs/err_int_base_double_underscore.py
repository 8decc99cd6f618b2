print(int("1_0", 0))
print(int("0x__1f", 0))
