x = "global"
def f():
    x = "local"
    return x
print(f(), x)
def g():
    return x
print(g())
