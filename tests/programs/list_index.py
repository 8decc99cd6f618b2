xs = [10, 20, 30, 40]
print(xs[0], xs[3], xs[-1], xs[-4])
i = 2
print(xs[i], xs[i - 1], xs[-i])
