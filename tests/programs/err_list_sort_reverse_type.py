xs = [2, 1]
xs.sort(reverse=1)
print(xs)
xs.sort(reverse="yes")
