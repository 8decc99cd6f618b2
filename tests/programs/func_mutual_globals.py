calls = 0
def a(n):
    global calls
    calls += 1
    if n > 0:
        b(n - 1)
def b(n):
    global calls
    calls += 1
    if n > 0:
        a(n - 1)
a(9)
print(calls)
