print(int("10", 2.0))
