# The tutorial's first snippet in Python 3: a blocking kernel on every core.
from epython import offload


@offload
def helloworld(a, b):
    print("Hello World")
    return a + b


print(helloworld(10, 20))
