f = lambda x: x * 2
print(f(2))
print(f(2, 3))
