x = 1.0
i = 0
while i < 50:
    print(x, x / 3, x * 0.7, x + 1)
    x = x / 5.3
    i += 1
