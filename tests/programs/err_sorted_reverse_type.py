print(sorted([2, 1], reverse=True))
print(sorted([2, 1], reverse=None))
