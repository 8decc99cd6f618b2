print("abc".count("a", 0, 3, 4))
