def scaled(n):
    return [i * n for i in range(4)]
def evens(xs, m):
    return [x for x in xs if x % m == 0]
print(scaled(3), evens([1, 2, 3, 4, 6], 2))
