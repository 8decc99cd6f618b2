import random
random.seed(0)
print(random.randint(5, 5), random.uniform(2.5, 2.5), random.choice([7]))
print(random.randrange(3, 4), random.randrange(1))
