i = 0
total = 0
while i < 20000:
    t = [i, i + 1, i + 2]
    total = (total + t[2]) % 100000
    i += 1
print(total)
