def first_even(xs):
    for x in xs:
        if x % 2 == 0:
            return x
    else:
        return None
def count_down(n):
    while True:
        if n == 0:
            return "done"
        n -= 1
print(first_even([1, 3, 4, 6]), first_even([1, 3]), count_down(5))
