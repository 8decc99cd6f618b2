x = 0.0
steps = 0
while x < 1.0:
    x += 0.125
    steps += 1
print(steps, x)
