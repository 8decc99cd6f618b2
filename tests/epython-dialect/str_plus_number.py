/*
ePython's + between a string and an int, float, bool or None formats the
other operand (performStringConcatenation in host/host-functions.c). The
dialect writes the number as str() and print write it (Python's way:
2.5, True, None), where ePython would write 2.500000, true and NONE; the
README's dialect section says why.
*/
print "x=" + 5
print 5 + " apples"
print "f=" + 2.5
print "b=" + True + ", n=" + None
s = "count: "
s += 3
print s
n = 4
print "n+1=" + (n + 1)
print 1 + 2 + "3"
xs = [1]
ys = xs
xs += [2]
print ys
print "a" + [1]
