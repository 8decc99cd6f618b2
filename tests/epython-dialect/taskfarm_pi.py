/*
cores: 5
A task farm in ePython's own style (its task_farm_pi example's shape):
import taskfarm splices the module in, so initTaskFarm, execFunction,
waitFunctionFinish, shutdownTaskFarm and worker are plain names; names
fold, so InitTaskFarm is the same function. The master (core 0) hands
the 8 chunks of the midpoint rule for the integral of 4/(1+x^2) over
[0, 1] (1000 intervals) to 4 workers and adds their parts: pi to 4
places is 3.1416. Per chunk: 1000/8 = 125 intervals (int / truncates).
*/
import parallel
import taskfarm

def chunkSum(first, count, intervals):
    h = 1.0 / intervals
    s = 0.0
    i = first
    while i < first + count:
        x = h * (i + 0.5)
        s = s + 4.0 / (1.0 + x^2)
        i = i + 1
    return s * h

InitTaskFarm(0)
if coreid() == 0:
    per = 1000 / 8
    pi = 0.0
    chunk = 0
    while chunk < 8:
        for w in range(1, numcores()):
            execFunction(w, chunkSum, (chunk + w - 1) * per, per, 1000)
        for w in range(1, numcores()):
            pi = pi + waitFunctionFinish(w)
        chunk = chunk + numcores() - 1
    print "per chunk " + per + ", pi = " + round(pi, 4)
    shutdownTaskFarm()
else:
    worker()
