/*
cores: 4
ePython's import splices the module's text in (host/preprocessor.c), so
after import parallel its functions are names of their own: coreid(),
numcores(). Each core prints its own line.
*/
import parallel
print "Hello from core " + coreid() + " of " + numcores()
