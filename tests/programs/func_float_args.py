def mean(a, b, c):
    return (a + b + c) / 3
print(mean(1, 2, 3), mean(0.1, 0.2, 0.3), mean(1, 1, 2))
