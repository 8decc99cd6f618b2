print("abc".upper(1))
