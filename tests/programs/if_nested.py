a = 3
b = 7
if a > 0:
    if b > 5:
        print("both")
    else:
        print("a only")
else:
    print("none")
if a > 5:
    pass
else:
    if b:
        print("b truthy")
