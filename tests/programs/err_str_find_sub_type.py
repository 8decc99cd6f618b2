print("abc".find(["a"]))
