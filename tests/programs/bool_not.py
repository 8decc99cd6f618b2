print(not True, not False, not 0, not 1, not "", not "a")
print(not [], not [0], not None, not 0.0)
print(not not 5)
