# Three levels: the innermost function reads a variable two scopes out,
# through the middle function, which does not use it itself.
def outer(a):
    b = a * 2
    def middle(c):
        def inner(d):
            return a + b + c + d
        return inner
    return middle

print(outer(1)(10)(100))
m = outer(5)
print(m(1)(2), m(3)(4))

# A parameter captured and rebound in the enclosing function after the
# closure is made.
def later(x):
    f = lambda: x
    x = x + 1
    return f()

print(later(41))

# Recursion through a closure: the nested function names itself via the
# enclosing function's local.
def fact_of(n):
    def fact(k):
        return 1 if k <= 1 else k * fact(k - 1)
    return fact(n)

print(fact_of(10))
