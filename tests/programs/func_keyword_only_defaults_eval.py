base = 10
def f(x, y=base):
    return x + y
base = 20
print(f(1), f(1, base))
