print "hello from ePython"
x = 3
print x, x * 2
print "done"
