xs = ["a", 1.5, [1]]
print(xs.index([1]))
print(xs.index("b"))
