print(float(3), float(-7), float(0))
print(int(3.9), int(-3.9), int(0.5))
print(float(16777217))
print(int(1e9))
