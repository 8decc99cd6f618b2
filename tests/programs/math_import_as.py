import math as m
print(m.sqrt(81), m.floor(-0.5))
