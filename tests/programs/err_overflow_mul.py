x = 65536
print(x * x)
