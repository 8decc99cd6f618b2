s = "hello world"
print(s[0:5], s[6:], s[:5], s[-5:], s[::-1])
print(s[::2], s[100:], s[3:3] == "")
