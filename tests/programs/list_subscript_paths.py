# Subscripts of lists and tuples by ints (the dispatch loop's path), by
# bools and negative ints, of strs and ranges, and assignment, in a loop so
# each instruction meets several kinds of operands.
xs = [10, 20, 30, 40]
t = (1.5, "two", [3])
for i in [0, 3, -1, -4, True, False]:
    print(xs[i], t[i % 3 - 3], "abcd"[i], range(5, 9)[i])
for i in range(4):
    xs[i] = xs[i] * 2 + i
    xs[-1 - i] += 1
print(xs)
xs[True] = "one"
print(xs, t[2][0], [[1, 2], [3, 4]][1][-1])
# A list too big for the SRAM heap: its items live in DRAM.
big = [i * i for i in range(600)]
s = 0
for i in range(0, 600, 7):
    big[i] = big[i] - i
    s += big[i] + big[-i - 1]
print(s, big[599], big[-600])
