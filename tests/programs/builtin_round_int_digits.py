# round(int, negative digits): to a multiple of 10**-digits, halves to even.
print(round(12345, -2), round(150, -2), round(250, -2), round(-250, -2), round(-251, -2))
print(round(5, -1), round(15, -1), round(2147483000, -3), round(-2147483648, -9))
print(round(7, -10), round(0, -3), round(99, 0), round(99, 2))
