def total(xs, i):
    if i == len(xs):
        return 0
    return xs[i] + total(xs, i + 1)
print(total([1, 2, 3, 4, 5], 0), total([], 0))
