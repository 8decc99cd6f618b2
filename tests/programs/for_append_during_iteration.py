xs = [1, 2, 3]
for x in xs:
    if x < 5:
        xs.append(x + 3)
print(xs)
