s = 0.0
i = 0
while i < 10:
    s += 0.1
    i += 1
print(s)
print(s == 1.0)
t = 0.0
i = 0
while i < 1000:
    t += 0.001
    i += 1
print(t)
