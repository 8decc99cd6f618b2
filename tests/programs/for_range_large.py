for i in range(2147483645, 2147483647):
    print(i)
for i in range(-2147483648, -2147483646):
    print(i)
print(len(range(0, 2147483647, 1000000)))
