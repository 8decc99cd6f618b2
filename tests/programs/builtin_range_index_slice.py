# Indexing a range gives its ints; slicing one gives a range.
r = range(10)
print(r[0], r[3], r[9], r[-1], r[-10], r[True])
e = range(0, 10, 2)
print(e[1], e[-1], range(10, 0, -3)[2], range(-5, 5)[-2])
print(e[1:3], r[::-1], r[5:2], r[::3], r[2:8:2], r[-3:], r[:-7])
print(range(10, 0, -3)[1:], range(10, 0, -3)[::-1], r[100:], r[-100:2])
print(e[1:3] == range(2, 6, 2), r[5:2] == range(0), range(0, 3, 5) == range(1))
print(range(1, 2) != range(1, 3), range(2) == [0, 1], e[::2] == range(0, 10, 4))
print(list(e[1:]), len(r[::3]), sum(r[1::2]), 4 in e[1:3], 6 in e[1:3])
for i in range(20)[3:12:4]:
    print(i, end=" ")
print()
