x = -2147483648
print(-x)
