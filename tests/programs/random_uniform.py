import random
random.seed(7)
ok = True
for i in range(100):
    v = random.uniform(-2.0, 3.0)
    if v < -2.0 or v > 3.0:
        ok = False
print(ok)
