s = ""
i = 0
while i < 300:
    s = s + "ab"
    i += 1
print(len(s), s[:6], s[-4:])
