a = [1, [2, 3]]
b = [1, [2, 3]]
print(a == b, a is b, a[1] == b[1], a[1] is b[1])
c = a
c[1][0] = 20
print(a, b)
