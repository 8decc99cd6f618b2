# Loops and arithmetic in frames deep enough to live in the DRAM frame
# segment (the dispatch loop's fast paths work on SRAM words; DRAM frames
# take the general path): the results must not depend on where a frame is.
def work(n):
    total = 0
    for i in range(n):
        total += i * 3 - 1
        if total > 1000:
            total = total % 97
    x = 0.5
    for k in [1, 2, 3]:
        x = x * 1.5 + k
    return total, x < 10.0, x


def deep(d):
    if d == 0:
        return work(25)
    t, small, x = work(d % 7 + 3)
    r = deep(d - 1)
    return (r[0] + t) % 1000, r[1] and small, r[2]


print(work(25))
print(deep(150))
