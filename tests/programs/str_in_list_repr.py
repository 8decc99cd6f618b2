print(["it's", 'say "hi"', "a\nb", ""])
print(("x",))
