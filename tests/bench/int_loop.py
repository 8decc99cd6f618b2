# An int loop: 1,000,000 iterations of integer arithmetic.
s = 0
i = 0
while i < 1000000:
    s = (s + i * 3) % 1000003
    i += 1
print(s)
