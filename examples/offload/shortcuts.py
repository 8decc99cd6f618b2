# offload_multiple (async on N free cores) and offload_single (async on one).
from epython import offload_multiple, offload_single, waitAll


@offload_multiple(cores=8)
def adder(a, b):
    return a + b


@offload_single
def subtractor(a, b):
    return a - b


h1 = adder(10, 20)
h2 = subtractor(10, 20)
print(waitAll(h1, h2))
