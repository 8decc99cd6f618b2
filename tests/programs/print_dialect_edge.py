print "x",
print
print "y"
print 1, 2.5, None, True
print ("parenthesised")
print "end",
