def f(v):
    print("f", v)
    return v
print(1 < f(2) < 3)
print(5 < f(4) < f(10))
