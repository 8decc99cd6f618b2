def g(x):
    return x
print(g(1))
print(g(1, 2))
