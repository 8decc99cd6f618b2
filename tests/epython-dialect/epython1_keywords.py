/*
cores: 1
ePython 1.x's own examples (its lexer, host/epython.l of that version):
arrays are declared with dim (core memory) or sdim (shared memory),
zero-filled (dim a[4]: four zeros; here both are ordinary lists); sqrt,
floor and the other maths functions are keywords, callable without an
import; a bare random is a random int (random % 100 lies in 0..99); and
print takes one expression, so print (total)/4 prints total/4, which is 2
between ints (C's division).
*/
n = 4
dim a[n]
sdim b[n + 1]
print len(a), len(b), a[0]
i = 0
while i < n:
  a[i] = i * i
  i = i + 1
print a
print sqrt(16.0) + floor(2.5)
r = random % 100
print r >= 0 and r < 100
total = 10
print (total)/4
print (total + 2)
print("two", "words")
