a = b = 5
print(a, b)
x = y = []
x.append(1)
print(y)
