x = 2147483647
print(x - 1 + 1)
print(x + 1 - 1)
