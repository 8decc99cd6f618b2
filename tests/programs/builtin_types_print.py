# The builtin classes print as <class '...'>, and type(x) gives them back.
import math
print(bool, int, float, str, list, tuple, range, type)
print(enumerate, zip)
print(len, abs, sorted)
print(type(3), type(1.5), type("a"), type([1]), type((1,)), type(range(2)), type(True))
print(type(None), type(len), type(int), type(math), type(lambda: 0))
print(type(enumerate([1])), type(zip([1], [2])))
print(type(3) == int, type(3) is int, type(3) == float, type(True) == int)
print(str(int), str(len), [int, range])
print(type(type(3)("4") + 1))
print(type(None)())
# The classes are still called as before.
print(int("3") + 1, float("2.5"), str(12), bool(0), list((1, 2)), tuple([3]))
