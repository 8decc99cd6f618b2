# print and str() of lists and tuples nested hundreds of levels deep come out
# whole (well under the recursion limit, where CPython raises).
x = []
for i in range(900):
    x = [x]
s = str(x)
print(len(s), s[:5], s[-5:])
print(x)
t = ()
for i in range(600):
    t = (t, i)
s = str(t)
print(len(s), s[:12], s[-12:])
m = 7
for i in range(300):
    m = (["a", m],)
print(m)
