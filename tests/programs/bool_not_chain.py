x = 3
print(not x > 5, not (x > 5 and x < 1), not x == 3 or x)
print(x > 1 and x < 5 and x != 4, x < 1 or x > 5 or x == 3)
