a = "foo"
b = "bar"
print(a + b, a + " " + b, "" + a)
s = ""
for i in range(3):
    s += str(i)
print(s)
