f = lambda x, y=10: x + y
print(f(1), f(1, 2))
