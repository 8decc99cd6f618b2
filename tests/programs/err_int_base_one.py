print(int("10", 1))
