a = 17
b = 5
print(a + b, a - b, b - a)
print(-a + b, a + -b)
print(0 - 0, 1 - 1 - 1)
