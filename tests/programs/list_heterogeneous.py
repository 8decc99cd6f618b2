xs = [1, "two", 3.0, [4], (5,), None, False]
for x in xs:
    print(x)
print(xs)
