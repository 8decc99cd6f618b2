print(1 and 2, 0 and 2, 1 or 2, 0 or 2)
print("" or "default", "x" and "y", None or 0)
print([] or [1], [0] and 5)
print(0.0 or 1.5, 2.5 and 0)
