# cores: 2
# A closure (a function using variables of an enclosing function) cannot
# travel to another core: a clear error on the sender.
from parallel import *


def counter(start):
    def step():
        return start + 1
    return step


if coreid() == 0:
    send(counter, 1)
    send(counter(5), 1)
else:
    print(recv(0)(1)())
