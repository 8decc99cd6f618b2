a = [1]
a.append(a)
s = str(a)
print(s, len(s))
x = []
for i in range(20):
    x = [x]
print(len(str(x)))
