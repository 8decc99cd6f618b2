total = 0
for row in [[1, 2], [3, 4], [5]]:
    for v in row:
        total += v
print(total)
