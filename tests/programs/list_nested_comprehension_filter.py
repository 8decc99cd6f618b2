m = [[i * 3 + j for j in range(3)] for i in range(3)]
print(m)
print([v for row in m for v in row if v % 2 == 0])
print([[v * v for v in row if v > 3] for row in m])
