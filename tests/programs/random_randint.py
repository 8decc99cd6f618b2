import random
random.seed(1)
seen = [0] * 6
for i in range(300):
    v = random.randint(1, 6)
    seen[v - 1] += 1
print(min(seen) > 0, sum(seen))
