print(float(1), float("3.25"), float("-0.1"), float(" 2 "), float())
print(float("1e-3"), float("inf"), float(True))
