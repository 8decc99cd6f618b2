i = 5
while i >= 0:
    print(10 // i)
    i -= 1
