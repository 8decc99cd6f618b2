x = 1
n = 0
while True:
    x = x * 3
    n += 1
    print(n, x)
