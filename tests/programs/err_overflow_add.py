x = 2147483647
print(x)
print(x + 1)
