a0 = 0
a1 = a0 + 1
a2 = a1 + 2
a3 = a2 + 3
a4 = a3 + 4
a5 = a4 + 5
a6 = a5 + 6
a7 = a6 + 7
a8 = a7 + 8
a9 = a8 + 9
b0 = a9 * 2
b1 = b0 - a1
b2 = b1 - a2
b3 = b2 - a3
b4 = b3 - a4
b5 = b4 - a5
b6 = b5 - a6
b7 = b6 - a7
b8 = b7 - a8
b9 = b8 - a9
print(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9)
print(b0, b1, b2, b3, b4, b5, b6, b7, b8, b9)
c0 = 0.5
c1 = c0 * 3
c2 = c1 / 7
c3 = c2 + c1 - c0
c4 = c3 * c3
c5 = c4 // 0.01
c6 = c5 % 3.3
c7 = -c6 + 1e-3
c8 = c7 ** 2
c9 = c8 + c7 + c6 + c5 + c4 + c3 + c2 + c1 + c0
print(c0, c1, c2, c3, c4)
print(c5, c6, c7, c8, c9)
