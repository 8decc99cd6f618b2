# Call-time options override the decorator: cores 9 and 10, asynchronously.
from epython import offload


@offload
def helloworld(a, b):
    print("Hello World")
    return a + b


h = helloworld(10, 20, target=[9, 10], async_=True)
print(h.wait())
