s = "Hello, World 42"
print(s.upper(), s.lower())
print("abc".upper().lower())
