/*
ePython's lexer is case-insensitive (%option case-insensitive in
host/epython.l): keywords, TRUE/FALSE/NONE and identifiers (X = 5 then
print x prints 5). The dialect folds names to lower case; strings keep
their case.
*/
IMPORT math
X = 5
PRINT x
Count = 1
count = count + 1
Print COUNT
If TRUE and not False:
    print "Yes"
ELSE:
    print "No"
print none == NONE, true
DEF Twice(N):
    RETURN n * 2
print twice(4), TWICE(5)
xs = []
xs.APPEND(3)
Xs.append(4)
print LEN(XS), xs
print Math.Sqrt(16.0)
WHILE x > 3:
    x = x - 1
print X
for I IN RANGE(2):
    print i
