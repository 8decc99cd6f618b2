# int(s, base): bases 2 to 36 and 0 (the prefix decides), signs,
# whitespace, 0x/0o/0b prefixes, underscores between digits.
print(int("ff", 16), int("FF", 16), int("-ff", 16), int(" +7f\n", 16))
print(int("101", 2), int("777", 8), int("z", 36), int("Zz", 36), int("10", 36))
print(int("0x1f", 16), int("0o17", 8), int("0b101", 2), int("0B101", 2))
print(int("0x1f", 0), int("0O17", 0), int("-0b101", 0), int("42", 0))
print(int("0", 0), int("00", 0), int("0_0", 0), int("-0", 0))
print(int("1_000", 10), int("0x_ff", 0), int("f_f", 16), int("1_0_1", 2))
print(int("0b1", 16), int("0x", 36))
print(int("7fffffff", 16), int("-80000000", 16), int("-2147483648", 10))
print(int("0" * 60 + "1", 10), int("   12   "), int("12", base=8))
print(int("1", True + 1), int("11", 3))
