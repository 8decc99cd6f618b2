def build(n):
    if n == 0:
        return []
    xs = build(n - 1)
    xs.append(n)
    return xs
print(build(10))
