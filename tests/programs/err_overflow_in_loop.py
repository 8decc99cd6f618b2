# The fast path's overflow is still an OverflowError, at its line.
x = 1
i = 0
while i < 40:
    x = x * 2
    i += 1
print(x)
