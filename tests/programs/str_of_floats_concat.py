print(str(0.1) + str(1e16) + str(-0.0) + str(1/3))
print(str([0.1, (2.5,)]) + "|" + str((1e-5, "a")))
