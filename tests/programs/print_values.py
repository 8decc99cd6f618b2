print(0, -0, 7, 1.0, -1.5, 1e30, -1e-30)
print(True, False, None)
print("string with spaces", 'single')
