print(round(2.5), round(3.5), round(-2.5), round(0.4), round(-0.6))
print(round(7), round(1.49999), round(1e9))
