# Closures see a variable's value when they run, not when they are made.
def make():
    fs = []
    for i in range(3):
        fs.append(lambda: i * 10)
    i = 7
    return fs

print([f() for f in make()])

def adders(ns):
    out = []
    for n in ns:
        def add(x, n=n):
            return x + n
        out.append(add)
    return out

print([a(100) for a in adders([1, 2, 3])])
