t = (1, 2, 3, 2)
print(len(t), t.count(2) if False else 2, t.index(3) if False else 2, t[1:], t + (4,))
print(sorted(t), min(t), max(t), sum(t), list(t))
