data = []
def add(v):
    data.append(v)
    return len(data)
print(add(1), add(2), data)
