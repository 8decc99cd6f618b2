print(sum([1, 2, 3]), sum([]), sum(range(101)), sum((5, 5)))
print(sum([1, 2], 10))
