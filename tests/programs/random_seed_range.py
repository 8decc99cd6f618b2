import random
random.seed(42)
ok = True
for i in range(200):
    r = random.random()
    if r < 0 or r >= 1:
        ok = False
print(ok)
