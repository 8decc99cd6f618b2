i = -20
while i <= 20:
    j = -7
    while j <= 7:
        if j != 0:
            if (i // j) * j + i % j != i:
                print("bad", i, j)
        j += 3
    i += 7
print("identity holds")
