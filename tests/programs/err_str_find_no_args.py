s = "abc"
print(s.find("b"))
print(s.find())
