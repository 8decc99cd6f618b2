a = [1]
b = a
b += [2]
print(a, b, a is b)
def grow(xs):
    xs += [3, 4]
grow(a)
print(a)
m = [[0], [1]]
m[0] += [5]
print(m)
c = a
c += "xy"
print(a)
s = "ab"
t = s
t += "c"
print(s, t)
n = 5
n += 2.5
print(n)
u = (1,)
v = u
v += (2,)
print(u, v)
