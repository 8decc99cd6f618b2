factor = 3
def scale(x):
    return x * factor
print(scale(5))
factor = 4
print(scale(5))
