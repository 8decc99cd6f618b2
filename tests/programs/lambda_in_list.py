ops = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b]
for op in ops:
    print(op(6, 3))
