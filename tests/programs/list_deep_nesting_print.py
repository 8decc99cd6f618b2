x = []
for i in range(12):
    x = [x]
print(x)
t = (1,)
for i in range(10):
    t = (t, i)
print(t)
