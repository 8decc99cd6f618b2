print(6 & 3)
print(1.5 & 1)
