# ePython's counted forms on a launch group of one core: send(v, c, n)
# sends v[0] .. v[n-1] as n messages, recv(c, n) takes n of them as a list,
# sendrecv(v, c, n) exchanges n items.
from parallel import send, recv, sendrecv

xs = [1, [2, 3], "four", 5.5]
send(xs, 0, 3)
print(recv(0), recv(0, 2))
send("abc", 0, 3)
print(recv(0, 3))
print(sendrecv((7, 8, 9), 0, 2), sendrecv([1], 0, 0))
send(xs, 0, 0)
send(xs, 0, True)
print(recv(0, 1))
print(recv(0, -1))
