# ePython's array module: zero-filled arrays indexed a[i][j].
from array import *
import memory

grid = array(3, 4)
i = 0
while i < 3:
    j = 0
    while j < 4:
        grid[i][j] = i * 10 + j
        j += 1
    i += 1
print(grid)
print(shape(grid), size(grid), ndim(grid), len(grid), nbytes(grid))
print(flatten(grid))
cube = array(2, 2, 2)
print(cube, shape(cube), size(cube))
row = array(5)
print(row, len(row), len(7), len("abc"))
copy = array(4, 3)
arraycopy(copy, grid)
print(copy)
print(shape(shared_mem_array(2, 5)))
memory.free(grid)
memory.gc()
freearray(copy)
print("done")
