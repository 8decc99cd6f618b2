print(1, 2, sep="-")
print(1, 2, sep=3)
