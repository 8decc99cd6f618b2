# Range iteration (stepped in the dispatch loop): steps, signs, empty
# ranges, the ends of the int range, and a range iterated twice.
print([i for i in range(5)], [i for i in range(5, 0, -2)], [i for i in range(0)])
print([i for i in range(2147483640, 2147483647, 3)])
print([i for i in range(-2147483647, -2147483648, -1)], [i for i in range(2147483646, 2147483647)])
r = range(1, 10, 4)
print([i for i in r], [i * j for i in r for j in r])
total = 0
for i in range(-3, 3):
    for j in range(i, -4, -1):
        total += i * j
print(total)
for x in [10, 20]:
    print(x)
for c in "ab":
    print(c)
