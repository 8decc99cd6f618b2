# A peer outside the launch group is a ValueError, not a wait forever.
from parallel import recv
print("before")
recv(3)
