print(6 * 7, -6 * 7, -6 * -7)
print(0 * 12345, 46340 * 46340)
x = 3
x = x * x * x
print(x)
