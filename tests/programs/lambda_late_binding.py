x = 1
f = lambda: x
x = 2
print(f())
g = lambda a, b=x: a + b
x = 100
print(g(1))
