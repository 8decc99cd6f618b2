# Range iterators made when the SRAM heap is full (they live in the DRAM
# heap; the dispatch loop steps them word by word there).
keep = [[j for j in range(40)] for i in range(30)]
total = 0
for i in range(10, -10, -3):
    for j in range(0, 7, 2):
        total += i * j
    for k in range(2147483645, 2147483647):
        total += k % 7
print(total, len(keep), keep[29][39])
print([x for x in range(5, 0, -1)], [x for x in range(3, 3)])
