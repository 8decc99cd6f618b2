/*
Block comments as ePython's examples open with them, in ePython's style.
Expected output: ePython's lexer (host/epython.l) skips a comment from its
opening to the first closing (no nesting), across lines, as whitespace;
# and quotes inside it mean nothing.
*/

x = 1 /* after code */
/* before code */ y = 2
z = x + /* between tokens,
   across lines */ y
print z
print "/* not a comment */", '*/ neither'
if z == 3:
    /* indented */
    print "in the block" /* at the end */ # and a hash comment
/* a /* does not nest: this ends here */
print 'after' # /* inside a hash comment: nothing */
/* the next error's line must count the lines above */
print 1 / 0
