xs = [3, 1, 2]
xs.reverse()
print(xs)
xs.sort()
print(xs)
ys = ["pear", "apple", "fig"]
ys.sort()
print(ys)
