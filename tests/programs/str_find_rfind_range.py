s = "abcabc"
print(s.find("c", 3), s.find("c", 3, 5), s.find("c", -2), s.find("bc", -5, -3), s.find("bc", 1, 2))
print(s.rfind("b"), s.rfind("b", 0, 4), s.rfind("b", -3, -1), s.rfind("z"), s.rfind(""), s.rfind("", 2, 4))
print(s.find(""), s.find("", 6), s.find("", 7), s.find("", 4, 2), s.rfind("", 7))
print(s.index("c", 3), s.rindex("a"), s.rindex("abc", 0, 6), s.index("", 6))
t = "héllo wörld"
print(t.find("l"), t.rfind("l"), t.find("ö", 5), t.index("w"), t.rindex("l", 0, 5), t.find("d", -1))
print(s.find("a", None, None), s.find("b", None, 1), s.rfind("c", 0, None))
