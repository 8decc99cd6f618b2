x = 1
i = 0
while i < 31:
    print(x, -x, x - 1, -x + 1)
    x = x * 2
    i += 1
print(x - 1 + x, -x - x)
