x = 10
x += 5
print(x)
x -= 3
print(x)
x *= 4
print(x)
x //= 5
print(x)
x %= 4
print(x)
x **= 3
print(x)
x /= 2
print(x)
y = 6
y <<= 2
y |= 1
y &= 0xF
y ^= 3
y >>= 1
print(y)
