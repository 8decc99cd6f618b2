def f(a, b, c, d, e, g, h, i):
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * g + 7 * h + 8 * i
print(f(1, 1, 1, 1, 1, 1, 1, 1), f(8, 7, 6, 5, 4, 3, 2, 1))
