# A kernel-style helper: a nested function using the kernel's arguments.
def kernel(xs, scale, offset):
    def f(x):
        return x * scale + offset
    total = 0
    for x in xs:
        total += f(x)
    return [f(x) for x in xs], total

print(kernel([1, 2, 3], 10, 1))
print(sorted([3, 1, 2]), (lambda k: (lambda: k + 1))(5)())
