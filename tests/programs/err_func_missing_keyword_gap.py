def f(first, second, third):
    return first
f(second=2)
