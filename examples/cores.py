# Every core reports who it is; run with -d 4 or -c 3,7 to pick cores.
from parallel import coreid, numcores

me = coreid()
n = numcores()
if me == 0:
    print("running on", n, "cores")
print("core", me, "of", n, "squared is", me * me)
