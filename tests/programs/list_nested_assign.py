grid = [[0, 0, 0], [0, 0, 0]]
grid[1][2] = 9
grid[0][0] = 1
grid[1][0] += 4
print(grid)
