print(round(3.14159, 2), round(2.71828, 3), round(1234.5678, -2))
print(round(0.5, 0), round(12345, -2), round(-1.25, 1))
