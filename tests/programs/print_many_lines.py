for i in range(40):
    print("line", i)
