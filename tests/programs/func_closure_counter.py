# A closure keeps its enclosing function's variable alive and shared:
# nonlocal rebinds it, every closure over the same cell sees the change.
def make_counter(start):
    count = start
    def step(by=1):
        nonlocal count
        count += by
        return count
    def peek():
        return count
    return step, peek

step, peek = make_counter(10)
print(step(), step(5), peek())
other, other_peek = make_counter(0)
print(other(), peek(), other_peek())
