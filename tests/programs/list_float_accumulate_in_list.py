xs = [0.0, 0.0]
for i in range(10):
    xs[0] += 0.1
    xs[1] = xs[1] + 0.2
print(xs)
