/*
ePython's math module (modules/math.py) has pi() and e() as functions;
the dialect accepts them beside Python 3's math.pi and math.e. Values are
the device's single-precision constants.
*/
import math
print math.pi()
print math.e()
print math.pi
print round(math.pi() * 2, 4)
print pi() == math.pi
print sqrt(2.0) == math.sqrt(2.0)
