x = 5
ys = [x * 2 for x in range(3)]
print(ys, x)
for i in range(2):
    pass
zs = [i for i in range(10, 12)]
print(zs, i)
