# A token passed around every core of the group, 10 times: each core adds
# one and sends it to its right neighbour (send is buffered; recv waits,
# idling the core until a message arrives).
from parallel import coreid, numcores, send, recv

LAPS = 10
me = coreid()
n = numcores()
token = 0
for lap in range(LAPS):
    if me == 0:
        send(token + 1, 1 % n)
        token = recv(n - 1)
    else:
        token = recv(me - 1)
        send(token + 1, (me + 1) % n)
if me == 0:
    print("the token went around", n, "cores", LAPS, "times and reads", token)
