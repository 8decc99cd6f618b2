x = 0.1 + 0.2
if x < 0.3:
    print("less")
elif x == 0.3:
    print("equal")
else:
    print("more")
y = None
if y:
    print("y")
elif y == None:
    print("none")
