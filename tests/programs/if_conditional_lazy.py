def boom():
    print("evaluated")
    return 0
x = 1
y = 5 if x else boom()
z = boom() if not x else 7
print(y, z)
