# Lists and tuples inside themselves print [...] or (...) where CPython's
# repr meets them again; the same list twice side by side is printed twice.
a = [1]
t = (a,)
a.append(t)
print(a)
print(t)
print([t, t])
c = []
c.append(c)
c.append(c)
print(c, len(c))
d = [1]
e = [d]
d.append(e)
print(d, e)
print(str(t), len(str(a)))
print(str([c, "x"]))
print(a, t, sep=" | ", end=" .\n")
x = [0]
y = [x, x, (x, x)]
print(y, str(y))
x.append(y)
print(y)
