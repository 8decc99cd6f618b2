i = 1
while i <= 3:
    j = 1
    line = ""
    while j <= 3:
        line = line + str(i * j) + " "
        j += 1
    print(line)
    i += 1
