print(not 1 == 2, not (1 == 2), not 1 + 1)
print(1 or 0 and 0, (1 or 0) and 0, not 0 or 0)
print(True and not False, False or not True)
print(1 < 2 and 2 < 3, 1 > 2 or 3)
