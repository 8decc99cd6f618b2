i = 0
while i < 500:
    print("row", i, i * i)
    i += 1
