# A dartboard pi: 500,000 random darts at the unit square.
import random
random.seed(1)
inside = 0
n = 500000
for i in range(n):
    x = random.random()
    y = random.random()
    if x * x + y * y <= 1.0:
        inside += 1
print(4.0 * inside / n)
