pairs = [(3, "c"), (1, "a"), (2, "b")]
out = []
for k in range(1, 4):
    for p in pairs:
        if p[0] == k:
            out.append(p[1])
print(out)
