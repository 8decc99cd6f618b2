print("xax".strip("x"), "  a ".strip(None))
print("abc".strip(5))
