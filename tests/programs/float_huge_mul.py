x = 1e20
print(x * x)
print(-x * x)
print(x * x - x * x)
