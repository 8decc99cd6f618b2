s = "banana"
print(s.count("a", 2), s.count("a", 2, 4), s.count("an", -4), s.count("a", -100, 100))
print(s.count(""), s.count("", 2), s.count("", 6), s.count("", 7), s.count("", 4, 2))
print(s.count("a", None, 3), s.count("a", 1, None), s.count("x"), "".count(""), "".count("a"))
print("aaaa".count("aa"), "aaaa".count("aa", 1), "héhé".count("é"), "héhé".count("", 1), "héhé".count("h", -2))
print("abc".count("c", 2, True), "abc".count("a", False))
