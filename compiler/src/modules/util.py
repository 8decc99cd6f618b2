# util: ePython's utility module, written for this project from its
# documented behaviour (README, "ePython's modules"). Compiled into the
# program that imports it; errors in it name this file (util.py:LINE).
import builtins as _builtins


def range(a, b=None, c=None):
    # ePython's range includes its end: range(3) is 0, 1, 2, 3 and
    # range(2, 5) is 2..5; a step walks towards the end and stops on it
    # when it lands there. A range object, as Python 3's (list(...) for a list).
    if b is None:
        return _builtins.range(a + 1)
    if c is None:
        return _builtins.range(a, b + 1)
    if c < 0:
        return _builtins.range(a, b - 1, c)
    return _builtins.range(a, b + 1, c)


def xrange(a, b):
    # ePython's xrange(a, b) is its range(a, b): a to b, inclusive.
    return range(a, b)


def oddSort(x, length=None):
    # Sorts the first `length` items of x (all of them by default) in place,
    # ascending, by odd-even transposition, as ePython's examples use it.
    n = len(x) if length is None else length
    done = False
    while not done:
        done = True
        for first in (0, 1):
            i = first
            while i + 1 < n:
                if x[i] > x[i + 1]:
                    x[i], x[i + 1] = x[i + 1], x[i]
                    done = False
                i += 2
