xs = list(range(10))
print(xs[::2], xs[1::3], xs[::-1])
print(xs[8:2:-2], xs[-1:-4:-1])
