# Reading a free variable before the enclosing function assigns it.
def outer():
    def inner():
        return value
    print("before")
    r = inner()
    value = 1
    return r

outer()
