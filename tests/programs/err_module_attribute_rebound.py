# A module attribute is checked on every access: after the name is rebound
# to another module, random.random is an AttributeError.
import random
import math
random.seed(3)
for k in range(2):
    x = random.random()
    print(0.0 <= x < 1.0)
    random = math
