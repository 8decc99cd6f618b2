/*
ePython compiles the whole file before it runs, so a function may be
called above its def (reference/epython-dialect.md, "functions callable
before their def"). The dialect defines each module-level function before
the first statement; a def that comes again rebinds the name where it
stands, as in Python.
*/
print square(7)
print is_even(10), is_even(7)
print greet()

def square(a):
    return a * a

def is_even(n):
    if n == 0:
        return True
    return is_odd(n - 1)

def is_odd(n):
    if n == 0:
        return False
    return is_even(n - 1)

def greet(name="world"):
    return "hello " + name

print greet("again")
def square(a):
    return a * a * a
print square(2)
