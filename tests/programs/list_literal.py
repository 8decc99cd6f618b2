xs = [1, 2, 3]
print(xs, [], [[]], [1, [2, [3]]])
print(len(xs), len([]))
print([1, "a", 2.5, None, True, (1, 2)])
