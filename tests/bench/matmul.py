# A nested-list matrix multiply: 24x24 matrices, 10 products (138,240 multiply-adds).
n = 24
a = [[(i * n + j) % 7 - 3 for j in range(n)] for i in range(n)]
b = [[(i + 2 * j) % 5 - 2 for j in range(n)] for i in range(n)]
for rep in range(10):
    c = []
    for i in range(n):
        row = []
        ai = a[i]
        for j in range(n):
            s = 0
            for k in range(n):
                s += ai[k] * b[k][j]
            row.append(s)
        c.append(row)
print(c[0][0], c[n - 1][n - 1], sum(c[5]))
