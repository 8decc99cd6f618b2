def inner(x):
    return 10 // x
def outer(x):
    return inner(x - 1) + 1
print(outer(3))
print(outer(1))
