s = 0.0
sign = 1.0
for k in range(1000):
    s += sign / (2 * k + 1)
    sign = -sign
print(s * 4)
