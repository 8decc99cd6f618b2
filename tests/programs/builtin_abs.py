print(abs(-5), abs(5), abs(0), abs(-2.5), abs(2.5))
print(abs(-2147483647), abs(-0.0))
