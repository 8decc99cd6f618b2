xs = [1, 2, 1, 2, 1]
print(xs.index(1, 1), xs.index(1, -1), xs.index(2, -100, 100), xs.index(2, 2, 4), xs.index(1, True))
print(xs.count(1), [].count(1), [[1], [1]].index([1], 1))
