# The parallel module on a launch group of one core: messages to itself
# arrive in order and are copies; collectives return the core's own value.
from parallel import coreid, numcores, send, recv, sendrecv, probe, bcast, reduce, sync, ishost, isdevice, wtime
import parallel

print(coreid(), numcores(), ishost(), isdevice())
print(probe(0))
xs = [1, [2.5, "three"], None, (4, 5)]
send(xs, 0)
send("second", 0)
print(probe(0))
ys = recv(0)
xs[1][0] = 99
print(ys, recv(0), probe(0))
print(sendrecv([7, 8], 0))
print(bcast("hello", 0), reduce(21, "sum"), reduce(2.5, "max"), reduce(True, "prod"))
sync()
parallel.nonblocking_send(42, 0)
print(parallel.test_sent(0), recv(0), parallel.test_sent(0))
print(parallel.wait_sent(0))
t0 = wtime()
t1 = wtime()
print(t1 >= t0, t0 > 0)
print(reduce(1, "avg"))
