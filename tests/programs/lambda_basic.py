sq = lambda x: x * x
add = lambda a, b: a + b
print(sq(9), add(2, 3))
print((lambda: 42)())
