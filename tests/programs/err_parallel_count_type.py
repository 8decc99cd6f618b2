# The count of recv(c, n) is an int.
from parallel import recv

recv(0, "2")
