for n in [0, 1, 2, 3]:
    print("even" if n % 2 == 0 else "odd")
x = 5
y = 1 if x > 3 else 2 if x > 1 else 3
print(y)
print([("neg" if v < 0 else "pos") for v in [-1, 2]])
