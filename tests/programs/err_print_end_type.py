print(1, end="\n")
print(1, end=None)
print(2, sep="", end=[1])
