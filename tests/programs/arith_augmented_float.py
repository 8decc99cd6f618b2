x = 1.5
x += 2
x *= 3
x -= 0.5
x /= 4
x //= 0.5
x %= 3
x **= 2
print(x)
y = 10
y /= 4
print(y)
