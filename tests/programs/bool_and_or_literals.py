print(None or "x", None and "x", "a" or "b", "" or "")
print(0 or 0.0, 0.0 or 0, 5 and 0.0, -1 and 7)
print(False or None, True and None, None or False)
