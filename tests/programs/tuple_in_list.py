pairs = [(1, "a"), (2, "b")]
for p in pairs:
    print(p[0], p[1])
print(pairs)
