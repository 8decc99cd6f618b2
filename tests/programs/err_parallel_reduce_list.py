# reduce() combines numbers (ints, floats, bools); a list is a TypeError.
from parallel import reduce
print(reduce(3, "sum"))
print(reduce([1, 2], "sum"))
