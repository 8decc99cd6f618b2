print(float("  1e3  "), float("-inf"), float("nan"), float("1_000.5"))
print(float(".5"), float("5."), float("-0"), float("+1.25"))
print(float("3.4028235e38"), float("1e39"), float("1e-50"))
