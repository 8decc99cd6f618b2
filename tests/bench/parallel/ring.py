# Ring messages per second (tests/src/bin/parbench.rs): a token around all
# cores of the group LAPS times, timed on core 0 with parallel.wtime().
from parallel import coreid, numcores, send, recv, sync, wtime

LAPS = 2000
me = coreid()
n = numcores()
sync()
t0 = wtime()
token = 0
for lap in range(LAPS):
    if me == 0:
        send(token + 1, 1 % n)
        token = recv(n - 1)
    else:
        token = recv(me - 1)
        send(token + 1, (me + 1) % n)
t1 = wtime()
if me == 0:
    print("ring", n, "cores", token, "messages", t1 - t0, "s")
