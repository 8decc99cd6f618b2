a = -9
while a <= 9:
    print(a, a // 4, a % 4, a // -4, a % -4)
    a += 3
