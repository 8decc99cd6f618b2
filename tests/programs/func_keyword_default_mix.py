def box(w, h=1, d=1):
    return w * h * d
print(box(2), box(2, d=3), box(2, h=4, d=5), box(w=3))
