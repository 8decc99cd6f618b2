s = "a-b-c-d"
print(s.replace("-", "+", 0), s.replace("-", "+", -1), s.replace("-", "+", 2), s.replace("-", "", 10))
print("abc".replace("", "-"), "abc".replace("", "-", 2), "abc".replace("", "-", 0), "".replace("", "x"), "".replace("", "x", 0))
print("héé".replace("", "."), "héé".replace("é", "e", 1), "aaa".replace("aa", "b"), "aaa".replace("a", "aa", True))
print("abc".replace("abcd", "x"), "abc".replace("abc", ""), "x".replace("x", "yy", -5))
