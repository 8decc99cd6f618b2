print(int(1e9))
print(int(1e10))
