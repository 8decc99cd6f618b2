s = "abc"
s.append("d")
