total = 0
for x in [3, 1, 4, 1, 5, 9, 2, 6]:
    total += x
print(total)
for name in ["ann", "bob"]:
    print("hi", name)
