import random
random.seed(3)
xs = ["a", "b", "c"]
ok = True
for i in range(50):
    if random.choice(xs) not in xs:
        ok = False
    r = random.randrange(10, 20, 5)
    if r != 10 and r != 15:
        ok = False
print(ok)
