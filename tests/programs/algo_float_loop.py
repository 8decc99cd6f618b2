x = 0.0
for i in range(1000):
    x = x * 0.5 + 1.25
print(x)
y = 1.0
for i in range(20):
    y = y * 1.1
print(y)
