# Functions made in a comprehension share its variable's cell: each sees the
# value the variable had last. A default argument captures the value instead.
def late():
    return [f() for f in [lambda: i * i for i in range(4)]]

def early():
    return [f() for f in [lambda i=i: i * i for i in range(4)]]

print(late(), early())
# At module level too, and a comprehension run twice gets fresh cells.
runs = []
for k in range(2):
    runs.append([lambda: x + k for x in [10, 20]])
print([[f() for f in fs] for fs in runs])
