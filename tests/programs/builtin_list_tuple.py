print(list("abc"), list((1, 2)), list(range(3)), list())
print(tuple([1, 2]), tuple("ab"), tuple())
xs = [1, 2]
ys = list(xs)
ys.append(3)
print(xs, ys)
