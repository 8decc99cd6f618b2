s = "-"
e = "!\n"
print(1, 2, 3, sep=s, end=e)
s = s + s if False else ", "
print("a", "b", sep=s)
