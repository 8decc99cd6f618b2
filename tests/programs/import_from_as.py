from math import sqrt as root
from parallel import coreid as me
print(root(64), me())
