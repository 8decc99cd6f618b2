def f():
    return 5
print(f())
print(f()())
