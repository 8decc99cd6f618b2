row = [0, 0]
grid = [row, row]
grid[0][0] = 5
print(grid)
grid2 = [[0, 0] for i in range(2)]
grid2[0][0] = 5
print(grid2)
