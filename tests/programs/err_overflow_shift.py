print(1 << 30)
print(1 << 31)
