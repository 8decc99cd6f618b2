x = ((((((((((1 + 2) * 3) - 4) * 5) + 6) * 7) - 8) * 9) + 10) * 11)
print(x)
y = -(-(-(-(-(-(-(-1)))))))
print(y)
z = not not not not not 0
print(z)
