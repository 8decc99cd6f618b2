def square(x):
    return x * x
def greet(name):
    print("hello", name)
print(square(7), square(-3), square(1.5))
greet("world")
