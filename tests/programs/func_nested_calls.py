def add(a, b):
    return a + b
def mul(a, b):
    return a * b
print(add(mul(2, 3), mul(4, add(1, 1))))
