print(max(len("abc"), abs(-10), min(3, 4)))
print(sum([abs(x) for x in [-1, -2, 3]]))
print(sorted([abs(x) for x in range(-3, 3)]))
