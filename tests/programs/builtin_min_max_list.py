print(min([4, 2, 8]), max([4, 2, 8]), max((1, 9)), min("hello"))
print(max([[1, 2], [1, 3]]))
