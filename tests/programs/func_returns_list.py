def squares(n):
    out = []
    for i in range(n):
        out.append(i * i)
    return out
a = squares(4)
b = squares(4)
a.append(99)
print(a, b, a is b)
