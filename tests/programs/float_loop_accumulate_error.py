x = 0.0
n = 0
while n < 100000:
    x += 1.0
    n += 1
print(x)
y = 16777210.0
n = 0
while n < 20:
    y += 1.0
    n += 1
print(y)
