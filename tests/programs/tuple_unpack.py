a, b, c = 1, 2, 3
print(a, b, c)
x, y = [10, 20]
print(x, y)
p, q = "hi"
print(p, q)
