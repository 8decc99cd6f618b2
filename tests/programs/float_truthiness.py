if 0.0:
    print("zero true")
else:
    print("zero false")
if -0.0:
    print("negzero true")
else:
    print("negzero false")
if 1e-30:
    print("tiny true")
print(not 0.5, not 0.0)
