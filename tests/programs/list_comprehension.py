print([x * x for x in range(6)])
print([c for c in "abc"])
print([x + 1 for x in [10, 20]])
