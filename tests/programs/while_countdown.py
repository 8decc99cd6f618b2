n = 10
while n:
    n -= 3
    print(n)
    if n < 0:
        break
