print(sorted([3, 1.5, 2]))
print(sorted([1, "a"]))
