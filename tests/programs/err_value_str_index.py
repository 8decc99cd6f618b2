print("abc".index("d"))
