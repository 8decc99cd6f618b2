def f(v, acc=[]):
    acc.append(v)
    return acc
print(f(1))
print(f(2))
print(f(3, []))
