xs = [1, True, 0, 1.0, False, 2, 0.0]
ys = xs[:]
ys.sort(reverse=True)
print(ys)
ys = xs[:]
ys.sort(reverse=False)
print(ys)
print(sorted(xs, reverse=True), sorted(xs, reverse=0), sorted(xs))
zs = ["b", "a", "c"]
zs.sort(reverse=1)
print(zs, sorted((3, 1, 2), reverse=True), sorted("hello", reverse=True), sorted(range(4), reverse=True))
r = False
zs.sort(reverse=r)
print(zs, sorted([], reverse=True), sorted([[2, 1], [1, 2], [2]], reverse=True))
