print(3 < 2 < "a")
print(1 > 2 > undefined_name)
print(1 == 2 == 3, 1 < 2 < 3 < 4 < 5 < 6)
