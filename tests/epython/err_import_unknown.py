# A module the device does not have is a compile error naming those it has.
import util
import numpy
