a = b = c = 1.5
print(a, b, c)
a = 2
print(a, b, c)
