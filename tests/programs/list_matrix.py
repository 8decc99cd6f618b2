n = 3
m = [[0] * n for i in range(n)]
for i in range(n):
    m[i][i] = 1
    m[i][n - 1 - i] += 2
print(m)
