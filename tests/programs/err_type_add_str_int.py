s = "a"
print(s + 1)
