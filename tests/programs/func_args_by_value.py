def rebind(x):
    x = 100
    return x
a = 5
print(rebind(a), a)
def rebind_list(xs):
    xs = [0]
    return xs
b = [1, 2]
print(rebind_list(b), b)
