print(str(42), str(-7), str(True), str(None), str(2.5))
print(str([1, "a"]), str((1,)), str("s"))
print(len(str(12345)))
