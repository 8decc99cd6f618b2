# Non-blocking launch: the tutorial's async=True is async_=True in Python 3
# (async is a keyword); **{"async": True} is accepted too.
from epython import offload


@offload(async_=True)
def helloworld(a, b):
    print("Hello World")
    return a + b


handler = helloworld(10, 20)
print(handler.wait())
