s = "abc"
print(s.startswith("b", 1), s.startswith("", 3), s.startswith("", 4), s.endswith("b", 0, 2), s.endswith("c", 0, 2))
print(s.startswith(("x", "a")), s.startswith(()), s.endswith(("c", 1)), s.startswith("a", None, None), s.endswith("", 5))
print(s.endswith("", 1, 0), s.startswith("", 1, 0), "héllo".startswith("l", 2), "héllo".endswith("é", 0, 2), s.startswith("bc", -2))
print(s.endswith(("b", "bc")), s.endswith(("ab",), 0, 2), s.startswith("abcd"), s.endswith("abc", -3))
