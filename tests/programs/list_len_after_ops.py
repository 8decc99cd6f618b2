xs = []
for i in range(100):
    xs.append(i)
print(len(xs), xs[-1], sum(xs))
while len(xs) > 10:
    xs.pop()
print(xs)
