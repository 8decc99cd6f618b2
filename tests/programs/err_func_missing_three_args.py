def f(a, b, c, d, e=0):
    return 0
print(f(1, 2, 3, 4))
f(b=1)
