x = 5
print(-x, +x, --x, -(-x), ~x, ~-x)
y = 2.5
print(-y, +y, -(-y))
print(not x, not 0)
