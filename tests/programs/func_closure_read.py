def outer(n):
    def inner(x):
        return x + n
    return inner(10)
print(outer(5))
