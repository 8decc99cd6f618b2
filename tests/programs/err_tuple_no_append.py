t = (1, 2)
print(t.count(2))
t.append(3)
