def t(v):
    print("t", v)
    return v
print(t(1) or t(2), t(0) or t(3))
print(t(1) and t(0) or t(4))
