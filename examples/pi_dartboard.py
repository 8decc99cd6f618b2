# ePython's parallel dartboard: each core throws darts at the unit square,
# counts those inside the quarter circle, and reduce() adds up the counts of
# every core of the group (each core gets the sum).
from parallel import coreid, numcores, reduce
import random

DARTS = 2000
random.seed(coreid() + 1)     # reproducible, and different on each core
inside = 0
for i in range(DARTS):
    x = random.random()
    y = random.random()
    if x * x + y * y <= 1.0:
        inside += 1
total = reduce(inside, "sum")
if coreid() == 0:
    print("pi is about", 4.0 * total / (DARTS * numcores()), "from", DARTS * numcores(), "darts")
