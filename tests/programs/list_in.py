xs = [1, 2, 3]
print(2 in xs, 5 in xs, 5 not in xs)
print("a" in ["a", "b"], [1] in [[1], [2]])
