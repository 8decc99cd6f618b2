x = 5
y = 0
print(x % y)
