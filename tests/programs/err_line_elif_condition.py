x = 5
if x < 0:
    print("neg")
elif x / 0 > 1:
    print("never")
