def loud(v):
    print("eval", v)
    return v
x = loud(0) and loud(1)
print(x)
y = loud(1) or loud(2)
print(y)
z = loud(1) and loud(2) and loud(0) and loud(3)
print(z)
