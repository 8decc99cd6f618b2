grid = [[0, 0], [0, 0]]
grid[1][1] = 5
print(grid)
grid[2][0] = 1
