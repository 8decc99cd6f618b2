# The dispatch loop's number fast paths against the general rules: ints,
# floats, bools and mixes through + - * / // % and comparisons, in a loop
# (the same instructions run again with other operand types).
vals = [7, -7, 0, 3, -3, 2.5, -2.5, 0.0, -0.0, True, False]
for a in vals:
    row = []
    for b in [3, -3, 2.0, -0.5, True]:
        row.append(a + b)
        row.append(a - b)
        row.append(a * b)
        row.append(a / b)
        row.append(a // b)
        row.append(a % b)
        row.append(a < b)
        row.append(a <= b)
        row.append(a == b)
        row.append(a != b)
        row.append(a > b)
        row.append(a >= b)
    print(row)
# The ends of the int range: results that fit, and comparisons.
hi = 2147483647
lo = -2147483648
print(hi - 1 + 1, lo + 1 - 1, hi // 2, hi % 10, lo // 2, lo % 10, hi / 2, lo * 1, hi * -1)
print(hi > lo, lo < hi, hi == hi, lo != lo, hi >= hi + 0, lo <= lo - 0)
# int with float compares exactly (16777217 is not an f32).
big = 16777217
print(big == 16777216.0, big > 16777216.0, 16777216.0 < big, big != 16777216.0)
nan = float("nan")
n = 0
for x in [nan, 1.0, -0.0, 0.0]:
    if x < 1.0:
        n += 1
    if x != x:
        n += 10
    if not (x >= 0.0):
        n += 100
    if x == 0.0:
        n += 1000
print(n)
# Comparison results that are not jumped on stay bools.
t = 3 < 4
print(t, 3 < 4 < 5, (2 > 1) + 1, 1.5 >= 1.5)
# A while loop's compare-and-jump, counting down and up.
i = 10
s = 0
while i > 0:
    s += i
    i -= 1
while i <= 5:
    s = s * 2 + i
    i += 1
print(s)
