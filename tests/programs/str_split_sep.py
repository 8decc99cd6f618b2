print("a,b,,c".split(","))
print("1::2::3".split("::"))
print("abc".split("x"))
