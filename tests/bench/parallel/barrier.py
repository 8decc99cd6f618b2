# Barrier time (tests/src/bin/parbench.rs): ITERS rounds of sync() and a
# reduce over the group (2 * ITERS barriers), timed on core 0 with
# parallel.wtime(). Each barrier also counts in the core's print epoch
# (status::EPOCH, one store); the host is not asked anything.
from parallel import coreid, numcores, sync, reduce, wtime

ITERS = 1000
me = coreid()
n = numcores()
total = 0
sync()
t0 = wtime()
for it in range(ITERS):
    sync()
    total += reduce(me, "sum")
sync()
t1 = wtime()
if total != ITERS * n * (n - 1) // 2:
    print("wrong total", total)
if me == 0:
    print("barrier", n, "cores", 2 * ITERS, "barriers", t1 - t0, "s")
