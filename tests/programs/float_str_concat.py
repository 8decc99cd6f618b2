x = 0.1
print("x = " + str(x))
print("third: " + str(1 / 3))
print(str(1e20) + "|" + str(-2.5))
