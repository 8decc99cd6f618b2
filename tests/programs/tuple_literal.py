t = (1, 2, 3)
print(t, (), (1,), (1, "a", None))
print(len(t), t[0], t[-1])
u = 4, 5
print(u)
