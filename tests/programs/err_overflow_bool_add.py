print(True + 2147483646)
print(True + 2147483647)
