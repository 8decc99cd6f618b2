a = 7
b = 3
c = -2
print(a * b + c, a - b * c, (a + b) * c, a // b * b + a % b)
print(a ** 2 - b ** 2 == (a - b) * (a + b))
print(-a // b, -(a // b), a // -b, -a % b)
print(a * -b, a - -b, a + +b)
