x = 1.0
i = 0
while i < 60:
    print(x, -x / 3, x * 0.7)
    x = x * 3.7
    i += 1
