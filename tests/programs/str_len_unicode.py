s = "héllo ✓"
print(len(s), s[1], s[-1], len(""))
print(len("abc"), s[1:4])
