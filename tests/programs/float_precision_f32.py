x = 16777216.0
print(x + 1, x + 2)
y = 0.1
print(y * 3, y * 10)
print(1e8 + 1, 100000000.0 - 1)
