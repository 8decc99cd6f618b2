# An offload program the way ePython's users write them (its kernels in the
# ePython dialect: parallel's functions without an import, `^` as power,
# `/` between ints truncating; device variables declared with None): the
# steady temperature of a rod whose ends are held at 1 and 10, relaxed by
# Jacobi sweeps until the residual has fallen by 10^4. Each core holds a
# piece of the rod and swaps its edge cells with its neighbours.
import math

from epython import define_on_device, offload

cells = None
fresh = None
define_on_device(cells)
define_on_device(fresh)

ROD = 96


@offload(dialect="epython")
def setUp(length):
    global cells, fresh
    mine = length / numcores()
    cells = [0.0] * (mine + 2)
    fresh = [0.0] * (mine + 2)
    if coreId() == 0: cells[0] = 1.0
    if coreId() == numCores() - 1: cells[mine + 1] = 10.0


@offload(dialect="epython")
def residual():
    r = 0.0
    for i in range(1, len(cells) - 1):
        r = r + (2 * cells[i] - cells[i - 1] - cells[i + 1]) ^ 2
    return r


@offload(dialect="epython")
def sweep():
    last = len(cells) - 1
    if coreid() > 0: cells[0] = sendrecv(cells[1], coreid() - 1)
    if coreid() < numcores() - 1: cells[last] = sendrecv(cells[last - 1], coreid() + 1)
    for i in range(1, last):
        fresh[i] = 0.5 * (cells[i - 1] + cells[i + 1])
    for i in range(1, last):
        cells[i] = fresh[i]


setUp(ROD)
start = math.sqrt(sum(residual()))
ratio = 1.0
sweeps = 0
while ratio > 1e-4:
    sweep()
    ratio = math.sqrt(sum(residual())) / start
    sweeps += 1
print("converged after", sweeps, "sweeps" if sweeps > 1 else "sweep", "(residual ratio below 1e-4)")
