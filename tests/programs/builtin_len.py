print(len([1, 2, 3]), len("four"), len((1, 2)), len([]), len(range(10)))
print(len([[1, 2], [3]]), len(range(2, 20, 3)))
