i = 0
found = 0
while i < 10:
    j = 0
    while j < 10:
        if i * j == 42:
            found = found + 1
            break
        j += 1
    i += 1
print("found", found)
