a = 0
b = 0
c = 0
total = 0
while a < 4:
    b = 0
    while b < 4:
        c = 0
        while c < 4:
            if (a + b + c) % 3 == 0:
                total += 1
            elif (a * b * c) % 2:
                total += 10
            else:
                total += 100
            c += 1
        b += 1
    a += 1
print(total)
