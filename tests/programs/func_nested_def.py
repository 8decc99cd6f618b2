def outer(x):
    def helper(y):
        return y * 2
    return helper(x) + 1
print(outer(5))
