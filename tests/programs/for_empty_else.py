for x in []:
    print("never")
else:
    print("else on empty")
for x in range(0):
    pass
else:
    print("else on empty range")
