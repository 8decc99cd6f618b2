# send(v, c, n) with n past the end of v: v[n-1] is an IndexError.
from parallel import send, recv

send([1, 2], 0, 3)
