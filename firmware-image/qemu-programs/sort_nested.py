# expect: TypeError
# Sorting nested lists compares them item by item: the deepest stack path
# of the VM (about 1.95 KB on the proxy core), then a TypeError from it.
xs = [[3, [1, 2.5]], [2, [5]], [2, [4, 1]], [1.5, [0]]]
print(sorted(xs))
xs.sort(reverse=True)
print(xs)
print(sorted(["b", "a", "c"]), sorted([(2, "x"), (1, "y")]))
print(sorted([1, "a"]))
