def double(x):
    return x * 2
def apply(f, x):
    return f(x)
d = double
print(apply(d, 21), apply(abs, -5))
fs = [double, abs]
print(fs[0](3), fs[1](-3))
