# Rounding can leave the 32-bit range: OverflowError, as for any int result.
print(round(2147483600, -2))
print(round(2147483647, -1))
