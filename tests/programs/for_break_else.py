for i in range(10):
    if i == 3:
        break
else:
    print("no break")
print("broke at", i)
for i in range(3):
    pass
else:
    print("completed", i)
