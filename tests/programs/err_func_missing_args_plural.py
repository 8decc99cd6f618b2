def f(a, b, c, d=4):
    return a + b + c + d
print(f(1, 2, 3))
def g():
    return f(1, d=5)
print(g())
