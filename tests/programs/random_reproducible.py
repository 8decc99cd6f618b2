import random
random.seed(5)
a = [random.random() for i in range(5)]
random.seed(5)
b = [random.random() for i in range(5)]
print(a == b)
