print(bool(0), bool(3), bool(""), bool("x"), bool([]), bool([1]))
print(bool(), bool(None), bool(0.0), bool(-0.1))
