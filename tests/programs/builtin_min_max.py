print(min(3, 1, 2), max(3, 1, 2), min(2.5, 3), max(-1, -1.5))
print(min("b", "a"), max(1, 2, 3, 4, 5, 6, 7, 8))
