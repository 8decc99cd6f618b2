a = [1, 2]
b = a
b.append(3)
print(a, a is b)
c = [a, a]
c[0].append(4)
print(c)
