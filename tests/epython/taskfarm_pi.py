# cores: 5
# A task farm computing pi: the master (core 0) hands the chunks of the
# midpoint rule for the integral of 4 / (1 + x*x) over [0, 1] to 4 workers.
from parallel import *
from taskfarm import *

INTERVALS = 1000
CHUNKS = 8


def chunk_sum(first, count, intervals):
    h = 1.0 / intervals
    s = 0.0
    i = first
    while i < first + count:
        x = h * (i + 0.5)
        s += 4.0 / (1.0 + x * x)
        i += 1
    return [coreid(), s * h]


def greet(name, numbers):
    print("worker", coreid(), "greets", name, numbers)


initTaskFarm(0)
if coreid() == 0:
    per = INTERVALS // CHUNKS
    workers = numcores() - 1
    pi = 0.0
    ran_on = []
    chunk = 0
    while chunk < CHUNKS:
        for w in range(1, workers + 1):
            execFunction(w, chunk_sum, (chunk + w - 1) * per, per, INTERVALS)
        for w in range(1, workers + 1):
            core, part = waitFunctionFinish(w)
            ran_on.append(core)
            pi += part
        chunk += workers
    print("chunks ran on", ran_on)
    print("pi =", round(pi, 4))
    execFunction(2, greet, "the farm", [1, 2])
    print(waitFunctionFinish(2), testFunctionFinish(3), waitFunctionFinish(3))
    shutdownTaskFarm()
else:
    worker()
    print("worker", coreid(), "stopped")
