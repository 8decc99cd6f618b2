# array: ePython's array module, written for this project from its
# documented behaviour (README, "ePython's modules"). An array is a list
# of lists (a[i][j]), zero-filled; everything here works on such lists.
# `from array import *` binds `len` to this module's len (ePython's: the
# number of elements, 0 for a number); the builtin stays builtins.len.
import builtins as _builtins


def _is_list(a):
    # No isinstance on the device: a list times 0 is the empty list, a
    # number times 0 is 0, a str "" and a tuple ().
    return a is not None and a * 0 == []


def _is_number(a):
    return a is None or a * 0 == 0


def _zeros(dims, k):
    if k == _builtins.len(dims) - 1:
        return [0] * dims[k]
    return [_zeros(dims, k + 1) for _ in _builtins.range(dims[k])]


def array(d1, d2=None, d3=None, d4=None, d5=None, d6=None, d7=None):
    # array(3) is [0, 0, 0]; array(2, 3) two rows of three zeros; up to 7
    # dimensions.
    dims = [d1]
    for d in (d2, d3, d4, d5, d6, d7):
        if d is None:
            break
        dims.append(d)
    return _zeros(dims, 0)


def shared_mem_array(d1, d2=None, d3=None, d4=None, d5=None, d6=None, d7=None):
    # ePython puts it in shared memory; here it is an ordinary array.
    return array(d1, d2, d3, d4, d5, d6, d7)


def shape(a):
    # The size of each dimension: shape(array(2, 3)) is [2, 3]; [] for a number.
    dims = []
    while _is_list(a):
        dims.append(_builtins.len(a))
        if _builtins.len(a) == 0:
            break
        a = a[0]
    return dims


def ndim(a):
    return _builtins.len(shape(a))


def size(a):
    # The number of elements (the numbers at the bottom), 0 for a number.
    if not _is_list(a):
        return 0
    n = 0
    for x in a:
        n += size(x) if _is_list(x) else 1
    return n


def len(a):
    # ePython's len: the number of elements of an array, 0 for a number;
    # strs and tuples have their own length.
    if _is_list(a):
        return size(a)
    if _is_number(a):
        return 0
    return _builtins.len(a)


def nbytes(a):
    # ePython's elements are 4 bytes each.
    return size(a) * 4


def _flatten_into(out, a):
    for x in a:
        if _is_list(x):
            _flatten_into(out, x)
        else:
            out.append(x)


def flatten(a):
    # The elements in row order, as one list: flatten([[1, 2], [3, 4]]) is [1, 2, 3, 4].
    if not _is_list(a):
        return [a]
    out = []
    _flatten_into(out, a)
    return out


def _fill(tgt, items, k):
    # Store items[k:] into tgt's elements in row order; the next k.
    i = 0
    while i < _builtins.len(tgt) and k < _builtins.len(items):
        if _is_list(tgt[i]):
            k = _fill(tgt[i], items, k)
        else:
            tgt[i] = items[k]
            k += 1
        i += 1
    return k


def arraycopy(tgt, src):
    # Copy src's elements into tgt in row order (as many as tgt holds):
    # the arrays may differ in shape, as ePython's flat copy allows.
    _fill(tgt, flatten(src), 0)


def freearray(a):
    # The device's heap is collected automatically.
    pass
