print(list(range(-5, 5, 3)), list(range(5, -5, -3)), tuple(range(3)))
print(list(enumerate(range(3), -1)), list(zip(range(3), "ab", [True])))
