# bcast: core 5 (or the last core of a smaller group) sends a value to every
# core of the group; the others receive a copy. sync() is the barrier.
from parallel import coreid, numcores, bcast, sync

root = 5 if numcores() > 5 else numcores() - 1
me = coreid()
table = None
if me == root:
    table = [[i, i * i] for i in range(5)]
table = bcast(table, root)
sync()
print("core", me, "got", len(table), "rows from core", root, "; the last is", table[4][0], table[4][1])
