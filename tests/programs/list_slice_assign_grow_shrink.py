xs = [1, 2, 3]
xs[5:] = [8, 9]
print(xs)
xs[-100:1] = "ab"
print(xs)
xs[2:0] = [7]
print(xs)
xs[1:] = xs
print(xs)
xs[:] = []
print(xs, len(xs))
xs[:] = range(3)
xs.append(3)
print(xs)
xs[None:None] = (5,)
print(xs)
xs[True:] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
print(xs, len(xs))
a = b = xs[1:] = [6]
print(a is b, xs)
zs = [[0]] * 2
zs[0][:] = [1, 2]
print(zs)
def f(ys):
    ys[1:2] = [ys[0]] * 3
f(xs)
print(xs)
for i in range(3):
    xs[i:i] = [i * 10]
print(xs)
