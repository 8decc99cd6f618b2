print(True + False, True - True, True * True, True ** 2)
print(True // True, True % True, -False, +True, ~True)
print(True < 2, False > -1, True == 1.0)
