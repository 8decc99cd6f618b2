# cores: 2
# Functions travel between the cores of a launch (all hold the same
# program): top-level functions with their defaults, and builtins.
from parallel import *
import math


def scale(x, factor=10):
    return x * factor


def apply_all(fn, xs):
    return [fn(x) for x in xs]


if coreid() == 0:
    send(scale, 1)
    send([scale, abs, math.sqrt], 1)
    print(bcast(apply_all, 0)(scale, [1, 2]))
    print(recv(1))
else:
    f = recv(0)
    print(f(4), f(4, 2))
    fs = recv(0)
    print(fs[0](1.5), fs[1](-3), fs[2](16.0))
    g = bcast(None, 0)
    print(g(f, [3]))
    send(g(abs, [-1, -2]), 0)
