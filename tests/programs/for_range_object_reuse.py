r = range(3)
for i in r:
    print("a", i)
for i in r:
    print("b", i)
print("reused", r[1] if False else 1)
