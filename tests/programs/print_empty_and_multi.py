print()
print("", "")
print(None, True, False)
print([], (), "")
