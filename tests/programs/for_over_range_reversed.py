xs = []
for i in range(10, -1, -2):
    xs.append(i)
print(xs)
