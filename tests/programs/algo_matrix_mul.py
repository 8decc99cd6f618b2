def matmul(a, b):
    n = len(a)
    m = len(b[0])
    k = len(b)
    c = [[0] * m for i in range(n)]
    for i in range(n):
        for j in range(m):
            s = 0
            for t in range(k):
                s += a[i][t] * b[t][j]
            c[i][j] = s
    return c
print(matmul([[1, 2], [3, 4]], [[5, 6], [7, 8]]))
print(matmul([[0.5, 1.5]], [[2.0], [0.1]]))
