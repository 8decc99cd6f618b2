print(2 ** 30)
print(2 ** 31)
