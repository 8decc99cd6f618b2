if "":
    print("empty str")
if "0":
    print("str zero is true")
if 0:
    print("zero")
elif -1:
    print("minus one is true")
if None:
    print("none")
else:
    print("none is false")
