# A float loop: 1,000,000 iterations of float arithmetic.
x = 0.0
y = 1.0
for i in range(1000000):
    x = x * 0.5 + y
    y = y * 0.999 + 0.001
print(x, y)
