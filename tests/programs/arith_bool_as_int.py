print(True + True, True * 10, False - 1)
print(True / 2, True // 1, -True)
print(True == 1, False == 0, True + 0.5)
