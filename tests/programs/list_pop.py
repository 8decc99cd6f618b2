xs = [1, 2, 3, 4, 5]
print(xs.pop(), xs)
print(xs.pop(0), xs)
print(xs.pop(-2), xs)
