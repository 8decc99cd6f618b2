i = 0
while i < 3:
    j = 0
    while j < 3:
        if j == 1:
            break
        j += 1
    else:
        print("inner else", i)
    i += 1
else:
    print("outer else", i, j)
