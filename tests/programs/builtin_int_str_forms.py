print(int("+5"), int("-0"), int(" 42\n"), int("1_000"), int("  -7  "))
print(int(-0.9), int(0.9999999), int(-2147483648.0), int(1e-10))
