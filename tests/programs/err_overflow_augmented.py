x = 2147483600
while True:
    x += 10
    print(x)
