print 1 + 2
print -5
print "sum:", 3 + 4, "product:", 3 * 4
print 1.5 * 2
