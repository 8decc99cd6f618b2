# A captured local read before it is assigned in its own function.
def outer():
    print(value)
    value = 2
    return lambda: value

outer()
