x = -65536
print(x * 32768)
print(x * 32769)
