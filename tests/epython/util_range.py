# ePython's util module: its range includes its end.
from util import *

for i in range(5):
    print(i)
print(list(range(2, 6)))
print(list(range(10, 0, -3)))
print(list(range(0, 10, 5)))
print(list(xrange(3, 7)))
total = 0
for i in range(1, 100):
    total = total + i
print(total)
data = [9, 4, 7, 1, 8, 2, 6]
oddSort(data)
print(data)
part = [5, 3, 1, 9, 0]
oddSort(part, 3)
print(part)
