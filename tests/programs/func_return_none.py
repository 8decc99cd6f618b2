def f():
    pass
def g(x):
    if x > 0:
        return x
def h():
    return
print(f(), g(1), g(-1), h())
