# A list nested deeper than the recursion limit cannot be printed: a
# RecursionError, as in CPython, and nothing of it is printed.
x = []
for i in range(1500):
    x = [x]
print("start")
print(len(x), len(x[0]))
print(x)
print("not reached")
