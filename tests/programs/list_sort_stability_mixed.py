xs = [3, 1.5, 2, 1, 2.0, -0.5]
xs.sort()
print(xs)
ys = ["b", "A", "a", "B", ""]
ys.sort()
print(ys)
