s = ""
for i in range(60):
    s += str(i % 10)
print(s)
print(s + s + s)
