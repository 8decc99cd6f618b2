def add_item(xs, v):
    xs.append(v)
items = []
add_item(items, 1)
add_item(items, 2)
print(items)
def set_first(xs):
    xs[0] = "first"
set_first(items)
print(items)
