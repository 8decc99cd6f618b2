xs = [1, 2]
print(xs.pop(True))
xs.pop("0")
