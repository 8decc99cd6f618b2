s = "abcabc"
print(s.rindex("a", 1))
print(s.rindex("a", 1, 3))
