s = "abcabc"
print(s.find("b", 2), s.find("c", -1), s.find("a", 10))
