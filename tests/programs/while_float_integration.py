n = 10000
h = 1.0 / n
s = 0.0
i = 0
while i < n:
    x = (i + 0.5) * h
    s += 4.0 / (1.0 + x * x)
    i += 1
print(s * h)
