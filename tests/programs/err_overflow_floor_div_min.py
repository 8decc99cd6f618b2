x = -2147483648
print(x // 1)
print(x // -1)
