/*
ePython's input() returns an int when the line is all digits, a float
when it has a '.', else the string (getTypeOfInput in
host/host-functions.c); the dialect also takes a leading sign. The lines
come from input_int.in.
*/
n = input("Enter a number:")
print n + 1
f = input()
print f * 2
name = input("Enter your name:")
print "Hello " + name
neg = input()
print neg - 1
