x = 1
i = 0
while i < 30:
    x = (x * 7 + 3) % 1000003
    x = x ^ (x >> 3)
    x = x & 0xFFFFF
    i += 1
print(x)
