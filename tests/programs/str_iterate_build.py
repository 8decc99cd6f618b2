s = "abcdef"
r = ""
for ch in s:
    r = ch + r
print(r)
print([c for c in s if c in "aeiou"])
