def show(v):
    print "value:", v
    return v * 2
print show(21)
