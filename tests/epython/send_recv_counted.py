# cores: 2
# ePython's counted forms: send(v, pid, n) sends v[0] .. v[n-1], one message
# each; recv(pid, n) receives n messages as a list; sendrecv(v, pid, n) both.
from parallel import *

if coreid() == 0:
    data = [1.5, 2.5, 3.5, 4.5, 5.5]
    send(data, 1, 3)
    send(data, 1, 2)
    grid = [[1, 2], [3, 4], [5, 6]]
    send(grid, 1, 3)
    print(sendrecv([10, 20, 30], 1, 3))
    print(recv(1, 4), recv(1, 0))
else:
    print(recv(0, 3))
    print(recv(0), recv(0))
    print(recv(0, 3))
    print(sendrecv((7, 8, 9), 0, 3))
    send("abcd", 0, 4)
