x = 0
if x:
    pass
else:
    pass
while x < 3:
    x += 1
    pass
print("after pass", x)
