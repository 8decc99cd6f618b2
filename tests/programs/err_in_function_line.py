def divide(a, b):
    q = a // b
    return q
print(divide(6, 3))
print(divide(1, 0))
