x = 10.0
print(x ** 38)
print(x ** 39)
