# Item assignment on a tuple is a TypeError, also where lists are assigned
# on the fast path.
for seq in [[1, 2], (3, 4)]:
    seq[0] = 5
    print(seq)
