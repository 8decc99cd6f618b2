n = 5
while n and n % 4:
    print(n)
    n -= 1
print("stopped at", n)
