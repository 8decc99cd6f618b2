/*
ePython's / and % between ints are C's (interpreter.c computes them on
ints): 7/2 = 3, -7/2 = -3 (truncation toward zero), -7%3 = -1 (the
remainder has the dividend's sign). Floats are unchanged; // stays Python's
floor; int/0 is a ZeroDivisionError (ePython's would crash).
*/
import parallel
print 7/2, -7/2, 7/-2, -7/-2
print 7%3, -7%3, 7%-3, -7%-3
print 7.0/2, 7/2.0, -7.5%2
print -7//2, -7.0//2
print 100/numcores()
x = 17
x /= 5
print x
x %= 2
print x
print 2147483647/1, -2147483648%-1
print 1/0
