def find(xs, target):
    i = 0
    for x in xs:
        if x == target:
            return i
        i += 1
    return -1
print(find([5, 6, 7], 7), find([5, 6, 7], 1))
