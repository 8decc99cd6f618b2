a = [1]
a.append(a)
print(a)
print(len(a), a[1] is a, a[1][1][0])
b = [a, (a,)]
print(b)
