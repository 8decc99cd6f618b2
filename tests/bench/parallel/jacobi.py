# Jacobi time (tests/src/bin/parbench.rs): examples/jacobi.py's iteration,
# 8 cells per core, ITERS iterations, timed on core 0 with parallel.wtime().
from parallel import coreid, numcores, send, recv, sync, wtime

PER = 8
ITERS = 1000
me = coreid()
n = numcores()
u = [0] * (PER + 2)
if me == 0:
    u[0] = 1000
if me == n - 1:
    u[PER + 1] = 5000
sync()
t0 = wtime()
for it in range(ITERS):
    if me > 0:
        send(u[1], me - 1)
    if me < n - 1:
        send(u[PER], me + 1)
    if me > 0:
        u[0] = recv(me - 1)
    if me < n - 1:
        u[PER + 1] = recv(me + 1)
    nu = u[:]
    for i in range(1, PER + 1):
        nu[i] = (u[i - 1] + 2 * u[i] + u[i + 1]) // 4
    u = nu
sync()
t1 = wtime()
if me == 0:
    print("jacobi", n, "cores", ITERS, "iterations", t1 - t0, "s")
