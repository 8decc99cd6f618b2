xs = ["a", "b", "c", "b"]
print(xs.index("b"), xs.index("c"))
print([1, 2, 3].index(3))
