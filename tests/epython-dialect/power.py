/*
^ is power in ePython (host/epython.l: "^"|"**" return POW). The dialect
gives it **'s precedence and right associativity, with float exponents
computed properly (reference/epython-dialect.md), so the values are
Python's for the same expressions written with **.
*/
print 2^10
print 2^3^2
print -2^2
print 2*3^2
print 2^-1
print 2.0^0.5
x = 3
x ^= 2
print x
print 10 - 2^3
