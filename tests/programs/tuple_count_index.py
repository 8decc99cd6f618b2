# tuple.count and tuple.index (with start and end, as list.index).
t = (1, 2, 1, 3, 1, "a", (1, 2))
print(t.count(1), t.count(9), t.count("a"), t.count((1, 2)), t.count(True))
print(t.index(1), t.index(3), t.index("a"), t.index((1, 2)))
print(t.index(1, 1), t.index(1, 3), t.index(1, -3), t.index(1, 2, 5))
print(t.index(1, -100), t.index(1, 0, 100))
print(().count(1), (1.0,).count(1), (1,).index(1.0))
