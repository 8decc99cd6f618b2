# Run on any 4 free cores.
from epython import offload


@offload(auto=4)
def helloworld(a, b):
    print("Hello World")
    return a + b


print(helloworld(10, 20))
