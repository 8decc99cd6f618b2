xs = [10, 20, 30, 40, 50]
i = 1
print(xs[i + 1], xs[i * 3], xs[len(xs) - 1], xs[-i - 1])
xs[i + 2] = xs[i] + xs[i - 1]
print(xs)
