s = "mississippi"
print(s.find("ss"), s.find("x"), s.find("i"), s.find(""))
print(s.index("pp"))
