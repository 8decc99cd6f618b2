for x in (1, "two", 3.0, None):
    print(x)
