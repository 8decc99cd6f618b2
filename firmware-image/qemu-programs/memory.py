# expect: MemoryError
# More live data than the core's SRAM arena and its DRAM spill area hold:
# MemoryError, on the simulator and under QEMU alike.
print("allocating")
keep = []
n = 0
while True:
    keep.append([n, n + 1, n + 2, n + 3])
    n += 1
