xs = [3, 1, 2]
print(sorted(xs, reverse=True), sorted("bca", reverse=False))
