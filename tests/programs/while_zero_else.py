while 0:
    print("never")
else:
    print("else of a loop that never ran")
