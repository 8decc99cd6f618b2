# str() of a value nested deeper than the recursion limit: RecursionError.
x = (1,)
for i in range(3000):
    x = [x, i]
print("built")
s = str(x)
print(len(s))
