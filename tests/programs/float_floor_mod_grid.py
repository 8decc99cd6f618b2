a = -3.5
while a <= 3.5:
    b = -2.0
    while b <= 2.0:
        if b != 0:
            print(a, b, a // b, a % b)
        b += 1.5
    a += 1.75
