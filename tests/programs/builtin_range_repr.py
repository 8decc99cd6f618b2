# A range prints and str()s as CPython shows it: range(start, stop), with
# the step only when it is not 1.
print(range(1))
print(range(3, 7), range(0, 10, 2), range(5, -3, -1), range(0))
print(str(range(4)), "r = " + str(range(2, 9, 3)))
print([range(2), (range(1, 2),)])
print(range(-2147483648, 2147483647, -2147483648))
r = range(10)
print(r, len(r))
