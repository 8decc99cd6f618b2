# 1-D heat diffusion by Jacobi iteration with a halo exchange: the rod's
# cells are split among the cores; each iteration a core sends its edge
# cells to its neighbours and receives theirs, then updates its own cells.
# Integer averaging, so the result equals the sequential computation exactly.
from parallel import coreid, numcores, send, recv, reduce

PER = 8          # cells per core
ITERS = 100
me = coreid()
n = numcores()
u = [0] * (PER + 2)       # u[0] and u[PER + 1] are the halo cells
if me == 0:
    u[0] = 1000           # the hot end
if me == n - 1:
    u[PER + 1] = 5000     # the hotter end
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
heat = reduce(sum(u[1:PER + 1]), "sum")
print("cells", me * PER, "to", me * PER + PER - 1, "hold", sum(u[1:PER + 1]), "from", u[1], "to", u[PER])
if me == 0:
    print("total heat after", ITERS, "iterations:", heat)
