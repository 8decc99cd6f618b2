print("abc".replace("a", 1))
