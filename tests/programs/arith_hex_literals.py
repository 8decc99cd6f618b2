print(0xFF, 0x10, 0o17, 0b1011)
print(1_000_000, 0x7FFFFFFF)
