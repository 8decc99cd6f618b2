data = [1, 3, 2, 3, 3, 1, 0, 2, 3]
counts = [0] * 4
for d in data:
    counts[d] += 1
for i in range(4):
    print(i, "*" * counts[i])
