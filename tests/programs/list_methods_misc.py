xs = [1, 2, 3, 2]
print(xs.index(2), xs.count(2), xs.count(9))
xs.reverse()
print(xs)
xs.extend("ab")
print(xs, xs.pop(-1), xs)
