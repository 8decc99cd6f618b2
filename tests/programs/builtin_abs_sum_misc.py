print(abs(True), abs(-0), sum(range(10)), sum([True, True, False]))
print(max("abc"), min([3.5, 2]), max(-0.0, 0.0), divmod(-7, 2))
