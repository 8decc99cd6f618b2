def f(a, b=2, c=3):
    return a * 100 + b * 10 + c
print(f(1), f(1, 5), f(1, 5, 7))
def g(x, sep="-"):
    return sep + str(x) + sep
print(g(4), g(4, "*"))
