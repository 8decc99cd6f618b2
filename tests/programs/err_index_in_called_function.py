def f(xs):
    return xs[len(xs)]
print([f([1, 2]) for i in range(2)])
