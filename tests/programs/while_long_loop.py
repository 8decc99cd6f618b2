i = 0
acc = 0
while i < 200000:
    acc = (acc + i) % 65521
    i += 1
print(i, acc)
