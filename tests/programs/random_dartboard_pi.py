import random
random.seed(11)
inside = 0
n = 2000
for i in range(n):
    x = random.random()
    y = random.random()
    if x * x + y * y <= 1.0:
        inside += 1
pi = 4.0 * inside / n
print(2.9 < pi < 3.4)
