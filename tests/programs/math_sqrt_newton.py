import math
x = 2.0
g = 1.0
for i in range(6):
    g = (g + x / g) / 2
print(g, math.sqrt(x), g == math.sqrt(x))
