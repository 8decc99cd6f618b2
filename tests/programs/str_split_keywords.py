s = "a b  c"
n = 1
print(s.split(maxsplit=1), s.split(sep=" "), s.split(" ", maxsplit=2), s.split(sep=None, maxsplit=0))
print(s.split(maxsplit=n, sep=" "), s.split(maxsplit=-1, sep=None), s.split(None, maxsplit=n))
print("x,y,z".split(sep=",", maxsplit=n), "x,y,z".split(maxsplit=n, sep=","))
