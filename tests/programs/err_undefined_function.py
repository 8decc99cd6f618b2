def f():
    return g()
print("calling")
f()
