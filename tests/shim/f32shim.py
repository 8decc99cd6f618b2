#!/usr/bin/env python3
"""Run a program under CPython with the device's number rules.

The device (design.md §4) runs Python 3 with two hardware differences:
ints are 32-bit signed (a result outside -2**31..2**31-1 raises
OverflowError, never wraps) and floats are IEEE single precision (every
operation rounds to f32; floats print as the shortest digits that round-trip
in f32, with Python's repr rules). This shim makes CPython follow the same
rules, so that its output is the expected output of the device.

How: the program's AST is rewritten before it runs.
  - float literals are rounded to f32; int literals outside i32 are a compile
    error, as in the device's compiler (`-2147483648` is valid);
  - every arithmetic / bitwise operator (binary, unary, augmented) becomes a
    call to `_binop` / `_unop`, which computes the Python result and then
    rounds floats to f32 (an int mixed with a float is first converted to f32,
    as the device does) and checks ints against the i32 range;
  - builtins that make numbers (float, int, abs, sum, round, pow, divmod,
    min/max pass values through) and the math/random modules are replaced by
    versions that round to f32 / check i32 (calls by name are rewritten,
    `int(x)` to `_int(x)`, so that `int` itself stays CPython's class);
    `parallel` is a one-core stub (coreid() == 0, numcores() == 1);
  - print() and str() format floats as the shortest f32 repr, also inside
    lists and tuples;
  - constructs the device never runs (class, try, raise, with, yield, dict and
    set displays, generator expressions, ...) are reported as the device's
    compiler reports them.

Output: what the program prints, then, if it stops on an error, one line
`Type: message (line N)`, N being the line in the program (the innermost
frame of the program's own code). A compile error is `Type: message (line N)`
too. This is exactly the format the corpus runner (tests/tests/corpus.rs)
produces from the device.

Usage: f32shim.py [--plain] PROGRAM.py   (prints to stdout; exit status 0
even on an error, since the error line is part of the expected output).
--plain runs the program under unmodified CPython with the same output
format (only the `print "x"` statement is rewritten and `parallel` stubbed),
to see which programs depend on the f32/i32 rules.
f32shim.py --serve runs many programs in one process, framed on stdin and
stdout as `LENGTH\nTEXT` (see `serve`; the differential test tests/tests/
diff.rs uses it).

Limitations (the corpus avoids them): `a[i] += x` evaluates `a` and `i`
twice; transcendental functions are computed in double and rounded, where the
device uses f32 libm (may differ by 1 ulp); random numbers are CPython's
(programs print properties of random values, never the values).
"""

import ast
import math as _math
import operator
import random as _random
import re
import struct
import sys
import types

INT_MIN = -(2 ** 31)
INT_MAX = 2 ** 31 - 1

# The device's messages for what CPython does not raise (shared_protocol::errors).
INT_OVERFLOW = "integer result does not fit in 32 bits (ints on the device are 32-bit)"
FLOAT_OVERFLOW = "numerical result out of range"
INT_LITERAL = "integer literal is too large: ints on the device are 32-bit (-2147483648..2147483647)"
FLOAT_LITERAL = "float literal is out of range for a 32-bit float (floats on the device are single precision)"


# ---------------------------------------------------------------- f32 / i32

def f32(x):
    """Round a Python float (double) to the nearest f32 value."""
    x = float(x)
    try:
        return struct.unpack('<f', struct.pack('<f', x))[0]
    except OverflowError:
        return _math.copysign(_math.inf, x)


def i32(v):
    if type(v) is int and not (INT_MIN <= v <= INT_MAX):
        raise OverflowError(INT_OVERFLOW)
    return v


def f32_repr(x):
    """Python's repr rules with the shortest digits that round-trip in f32."""
    if x != x:
        return 'nan'
    if _math.isinf(x):
        return 'inf' if x > 0 else '-inf'
    if x == 0:
        return '-0.0' if _math.copysign(1.0, x) < 0 else '0.0'
    for p in range(1, 10):
        s = '%.*e' % (p - 1, x)
        if f32(float(s)) == x:
            # A decimal of <= 9 digits round-trips through double, so repr
            # gives these digits back, laid out by Python's repr rules.
            return repr(float(s))
    return repr(x)


def is_num(v):
    return type(v) in (int, float, bool)


# ---------------------------------------------------------------- operators

_BIN = {
    '+': operator.add, '-': operator.sub, '*': operator.mul, '/': operator.truediv,
    '//': operator.floordiv, '%': operator.mod, '**': operator.pow,
    '<<': operator.lshift, '>>': operator.rshift, '&': operator.and_,
    '|': operator.or_, '^': operator.xor,
}


def _fmod(a, b):
    return _math.fmod(a, b)


def _float_divmod(a, b):
    """CPython's float_divmod, every step rounded to f32 (as the device does)."""
    rem = f32(_fmod(a, b))
    div = f32(f32(a - rem) / b)
    if rem != 0.0:
        if (b < 0.0) != (rem < 0.0):
            rem = f32(rem + b)
            div = f32(div - 1.0)
    else:
        rem = _math.copysign(0.0, b)
    if div != 0.0:
        fl = float(_math.floor(div))
        quot = f32(fl + 1.0) if f32(div - fl) > 0.5 else fl
    else:
        quot = _math.copysign(0.0, f32(a / b))
    return quot, rem


def _float_pow(a, b):
    if a == 0.0 and b < 0.0:
        raise ZeroDivisionError('0.0 cannot be raised to a negative power')
    if a < 0.0 and _math.isfinite(b) and _math.floor(b) != b:
        raise ValueError('negative number cannot be raised to a fractional power')
    try:
        r = f32(_math.pow(a, b))
    except OverflowError:
        r = _math.inf
    if _math.isinf(r) and _math.isfinite(a) and _math.isfinite(b):
        raise OverflowError(FLOAT_OVERFLOW)
    return r


def _binop(op, a, b):
    if not (is_num(a) and is_num(b)):
        return _BIN[op](a, b)
    if type(a) is bool and type(b) is bool and op in ('&', '|', '^'):
        return _BIN[op](a, b)
    if type(a) is not float and type(b) is not float:
        a, b = int(a), int(b)
        if op == '/':
            if b == 0:
                raise ZeroDivisionError('division by zero')
            return f32(f32(a) / f32(b))
        if op == '**' and b < 0:
            if a == 0:
                raise ZeroDivisionError('0.0 cannot be raised to a negative power')
            return _float_pow(f32(a), f32(b))
        if op == '**' and abs(a) > 1 and b > 40:
            raise OverflowError(INT_OVERFLOW)  # don't build a huge int
        if op == '<<' and b > 64 and a != 0:
            raise OverflowError(INT_OVERFLOW)
        return i32(_BIN[op](a, b))
    if op in ('<<', '>>', '&', '|', '^'):
        return _BIN[op](a, b)  # TypeError, CPython's message
    a, b = f32(a), f32(b)
    if op == '/':
        if b == 0.0:
            raise ZeroDivisionError('float division by zero')
        return f32(a / b)
    if op in ('//', '%'):
        if b == 0.0:
            raise ZeroDivisionError('float floor division by zero' if op == '//' else 'float modulo')
        q, r = _float_divmod(a, b)
        return q if op == '//' else r
    if op == '**':
        return _float_pow(a, b)
    return f32(_BIN[op](a, b))


def _unop(op, a):
    if op == 'not':
        return not a
    if op == '-':
        r = -a
    elif op == '+':
        r = +a
    else:
        r = ~a
    if type(r) is float:
        return f32(r)
    return i32(r)


def _iop(op, a, b):
    """Augmented assignment: lists are extended in place, as in Python."""
    if op == '+' and type(a) is list:
        a += b
        return a
    if op == '*' and type(a) is list:
        a *= b
        return a
    return _binop(op, a, b)


# ---------------------------------------------------------------- text

# The device's deepest nesting of lists and tuples for print and str()
# (shared_protocol::value::MAX_DEPTH); CPython's own limit is near it (its
# recursion limit, 1000) but depends on the calls in progress.
MAX_DEPTH = 1000


def fmt(v, nested=False, _active=None):
    t = type(v)
    if t is float:
        return f32_repr(v)
    if t is str:
        return repr(v) if nested else v
    if t is list or t is tuple:
        # A list or tuple inside itself prints as [...] or (...), as in CPython.
        active = set() if _active is None else _active
        if id(v) in active:
            return '[...]' if t is list else '(...)'
        if len(active) >= MAX_DEPTH:
            raise RecursionError('maximum recursion depth exceeded while getting the repr of an object')
        active.add(id(v))
        try:
            items = [fmt(x, True, active) for x in v]
        finally:
            active.discard(id(v))
        if t is list:
            return '[' + ', '.join(items) + ']'
        if len(items) == 1:
            return '(' + items[0] + ',)'
        return '(' + ', '.join(items) + ')'
    return repr(v) if nested else str(v)


_out = []


def _print(*args, sep=' ', end='\n'):
    for name, v in (('sep', sep), ('end', end)):
        if v is not None and type(v) is not str:
            raise TypeError('%s must be None or a string, not %s' % (name, type(v).__name__))
    if sep is None:
        sep = ' '
    if end is None:
        end = '\n'
    _out.append(sep.join(fmt(a) for a in args) + end)


def _plain_print(*args, sep=' ', end='\n'):
    _out.append((' ' if sep is None else sep).join(str(a) for a in args) + ('\n' if end is None else end))


def _str(*args):
    if not args:
        return ''
    return fmt(args[0])


def _repr(v):
    return fmt(v, True)


# ---------------------------------------------------------------- builtins

def _to_int_from_float(x):
    if _math.isinf(x):
        raise OverflowError('cannot convert float infinity to integer')
    if x != x:
        raise ValueError('cannot convert float NaN to integer')
    return i32(int(x))


def _float(*args):
    if not args:
        return 0.0
    v = args[0]
    if type(v) is str:
        return f32(float(v))
    return f32(float(v))


def _int(*args, **kw):
    if not args and not kw:
        return 0
    v = args[0] if args else None
    if type(v) is float and len(args) == 1 and not kw:
        return _to_int_from_float(v)
    return i32(int(*args, **kw))


def _abs(v):
    r = abs(v)
    return f32(r) if type(r) is float else i32(r)


def _sum(xs, start=0):
    acc = start
    for x in xs:
        acc = _binop('+', acc, x)
    return acc


def _round(x, *nd):
    if nd and nd[0] is not None:
        r = round(x, nd[0])
        return f32(r) if type(r) is float else i32(r)
    r = round(x)
    if type(x) is float:
        return _to_int_from_float(float(x)) if not _math.isfinite(x) else i32(r)
    return i32(r)


def _pow(a, b):
    return _binop('**', a, b)


def _divmod(a, b):
    if is_num(a) and is_num(b) and (type(a) is float or type(b) is float):
        if f32(b) == 0.0:
            raise ZeroDivisionError('float divmod()')
        return _float_divmod(f32(a), f32(b))
    if is_num(a) and is_num(b) and b == 0:
        raise ZeroDivisionError('integer division or modulo by zero')
    return (_binop('//', a, b), _binop('%', a, b))


def _len(x):
    return len(x)


# ---------------------------------------------------------------- modules

def _wrap1(fn):
    def g(*args):
        r = fn(*(f32(a) if type(a) is float else a for a in args))
        return f32(r) if type(r) is float else r
    g.__name__ = fn.__name__
    return g


def _make_math():
    m = types.ModuleType('math')
    for name in ('sqrt', 'exp', 'log', 'log10', 'log2', 'sin', 'cos', 'tan', 'asin', 'acos',
                 'atan', 'atan2', 'fabs', 'fmod', 'hypot', 'pow', 'degrees', 'radians',
                 'sinh', 'cosh', 'tanh', 'copysign'):
        setattr(m, name, _wrap1(getattr(_math, name)))

    def floor(x):
        if type(x) is float and not _math.isfinite(x):
            return _to_int_from_float(x)
        return i32(_math.floor(x))

    def ceil(x):
        if type(x) is float and not _math.isfinite(x):
            return _to_int_from_float(x)
        return i32(_math.ceil(x))

    def trunc(x):
        if type(x) is float and not _math.isfinite(x):
            return _to_int_from_float(x)
        return i32(_math.trunc(x))

    m.floor, m.ceil, m.trunc = floor, ceil, trunc
    m.isnan, m.isinf, m.isfinite = _math.isnan, _math.isinf, _math.isfinite
    m.pi, m.e, m.inf, m.nan, m.tau = f32(_math.pi), f32(_math.e), _math.inf, _math.nan, f32(_math.tau)
    return m


def _make_random():
    m = types.ModuleType('random')
    r = _random.Random(0)
    m.seed = lambda n=None: r.seed(n)
    m.random = lambda: min(f32(r.random()), 0.99999994)
    m.uniform = lambda a, b: f32(r.uniform(a, b))
    m.randint = lambda a, b: r.randint(a, b)
    m.randrange = lambda *a: r.randrange(*a)
    m.choice = lambda xs: r.choice(xs)
    return m


def _make_parallel():
    # One core: messages go to itself (buffered, in order), collectives over
    # a group of one return the value itself.
    import collections
    import copy
    import time
    m = types.ModuleType('parallel')
    box = collections.deque()

    def peer(c, name):
        if not isinstance(c, int):
            raise TypeError(f"{name}() argument must be an integer, not '{type(c).__name__}'")
        if c != 0:
            raise ValueError(f"core {c} is not in this launch group")
        return c

    def count(n, name):
        # ePython's counted forms (send(v, c, n) ...): n one-item messages.
        if type(n) not in (int, bool):
            raise TypeError(f"{name}() argument must be an integer count, not '{type(n).__name__}'")
        if n < 0:
            raise ValueError(f"{name}() count must not be negative")
        return range(n)

    def send(v, c, n=None):
        peer(c, 'send')
        if n is None:
            box.append(copy.deepcopy(v))
            return
        for i in count(n, 'send'):
            box.append(copy.deepcopy(v[i]))

    def recv(c, n=None):
        peer(c, 'recv')
        if n is None:
            return box.popleft()
        return [box.popleft() for _ in count(n, 'recv')]

    def sendrecv(v, c, n=None):
        if n is None:
            send(v, c)
            return recv(c)
        return [sendrecv(v[i], c) for i in count(n, 'sendrecv')]

    def reduce(v, op):
        if type(v) not in (int, float, bool):
            raise TypeError(f"reduce() argument must be an int or a float, not '{type(v).__name__}'")
        if op not in ('sum', 'min', 'max', 'prod'):
            raise ValueError(f"reduce() operator must be 'sum', 'min', 'max' or 'prod', not {op}")
        return v

    m.coreid = lambda: 0
    m.numcores = lambda: 1
    m.ishost = lambda: False
    m.isdevice = lambda: True
    m.wtime = time.monotonic
    m.sync = lambda: None
    m.send = send
    m.nonblocking_send = lambda v, c: send(v, c)
    m.recv = recv
    m.probe = lambda c: peer(c, 'probe') == 0 and len(box) > 0
    m.test_sent = lambda c: peer(c, 'test_sent') == 0 and len(box) == 0
    m.wait_sent = lambda c: (peer(c, 'wait_sent'), None)[1]
    m.sendrecv = sendrecv
    m.bcast = lambda v, root: (peer(root, 'bcast'), copy.deepcopy(v))[1]
    m.reduce = reduce
    return m


# ---------------------------------------------------------------- AST rewrite

class CompileError(Exception):
    def __init__(self, kind, message, line):
        super().__init__(message)
        self.kind, self.message, self.line = kind, message, line


_OPS = {
    ast.Add: '+', ast.Sub: '-', ast.Mult: '*', ast.Div: '/', ast.FloorDiv: '//',
    ast.Mod: '%', ast.Pow: '**', ast.LShift: '<<', ast.RShift: '>>',
    ast.BitAnd: '&', ast.BitOr: '|', ast.BitXor: '^',
}
_UOPS = {ast.USub: '-', ast.UAdd: '+', ast.Invert: '~', ast.Not: 'not'}

# What the device's compiler refuses (compiler/src/parser.rs, codegen.rs).
_UNSUPPORTED = [
    (ast.ClassDef, "'class' is not supported on the device (no classes)"),
    (ast.Try, "'try' is not supported on the device (no exception handling)"),
    (ast.Raise, "'raise' is not supported on the device (no exception handling)"),
    (ast.With, "'with' is not supported on the device"),
    (ast.Yield, "'yield' is not supported on the device (no generators)"),
    (ast.YieldFrom, "'yield' is not supported on the device (no generators)"),
    (ast.Dict, "dict and set displays are not supported on the device"),
    (ast.Set, "dict and set displays are not supported on the device"),
    (ast.DictComp, "dict and set displays are not supported on the device"),
    (ast.SetComp, "dict and set displays are not supported on the device"),
    (ast.GeneratorExp, "generator expressions are not supported on the device (no generators)"),
]


def shimmed_calls(tree):
    """The shimmed builtins (`SHIMMED`) the program does not bind anywhere
    (assigned, a def, a parameter, imported, declared global): their calls
    by name are rewritten."""
    names = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
            names.add(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.ClassDef)):
            names.add(n.name)
        elif isinstance(n, ast.arg):
            names.add(n.arg)
        elif isinstance(n, ast.alias):
            names.add((n.asname or n.name).split('.')[0])
        elif isinstance(n, (ast.Global, ast.Nonlocal)):
            names.update(n.names)
    return set(SHIMMED) - names


class Rewriter(ast.NodeTransformer):
    def __init__(self, calls=frozenset()):
        # The shimmed builtins whose calls by name become calls of the
        # shim's version (`int(x)` becomes `_int(x)`): `shimmed_calls`.
        self.calls = calls

    def visit_Call(self, node):
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id in self.calls:
            node.func = ast.copy_location(ast.Name(id='_' + node.func.id, ctx=ast.Load()), node.func)
        return node

    def _call(self, fn, args, node):
        call = ast.Call(func=ast.Name(id=fn, ctx=ast.Load()), args=args, keywords=[])
        return ast.copy_location(call, node)

    def generic_visit(self, node):
        for cls, msg in _UNSUPPORTED:
            if isinstance(node, cls):
                raise CompileError('SyntaxError', msg, node.lineno)
        return super().generic_visit(node)

    def visit_Constant(self, node):
        v = node.value
        if type(v) is int and not (INT_MIN <= v <= INT_MAX):
            raise CompileError('OverflowError', INT_LITERAL, node.lineno)
        if type(v) is float:
            r = f32(v)
            if _math.isinf(r):
                raise CompileError('OverflowError', FLOAT_LITERAL, node.lineno)
            return ast.copy_location(ast.Constant(value=r), node)
        return node

    def visit_UnaryOp(self, node):
        # -2147483648 is a valid literal.
        if (isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant)
                and type(node.operand.value) is int and node.operand.value == 2 ** 31):
            return ast.copy_location(ast.Constant(value=-(2 ** 31)), node)
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return node
        return self._call('_unop', [ast.Constant(value=_UOPS[type(node.op)]), node.operand], node)

    def visit_BinOp(self, node):
        self.generic_visit(node)
        return self._call('_binop', [ast.Constant(value=_OPS[type(node.op)]), node.left, node.right], node)

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        target = node.target
        load = _as_load(target, self.calls)
        value = self._call('_iop', [ast.Constant(value=_OPS[type(node.op)]), load, node.value], node)
        return ast.copy_location(ast.Assign(targets=[target], value=value), node)


def _as_load(t, calls):
    t2 = ast.parse(ast.unparse(t), mode='eval').body
    ast.copy_location(t2, t)
    for n in ast.walk(t2):
        n.lineno, n.col_offset = t.lineno, t.col_offset
        n.end_lineno, n.end_col_offset = t.end_lineno, t.end_col_offset
    return Rewriter(calls).visit(t2)


# ePython's `print "x"` statement: rewritten to the call before parsing.
_PRINT_STMT = re.compile(r'^(\s*)print\s+([^\s(=].*?)\s*$')


def dialect(source):
    lines = []
    for line in source.split('\n'):
        m = _PRINT_STMT.match(line)
        if m is None:
            lines.append(line)
        elif m.group(2).endswith(','):
            lines.append('%sprint(%s end=" ")' % (m.group(1), m.group(2)))
        else:
            lines.append('%sprint(%s)' % (m.group(1), m.group(2)))
    return '\n'.join(lines)


# The builtins the shim replaces. A call by name (`int(x)`) calls the
# shim's version (`_int`), so the name itself stays CPython's builtin:
# `print(int)`, `type(3) is int`, `print(abs)` show what the device shows.
# A name the program binds keeps the builtin replaced instead (its own
# binding wins where it is in scope, as before).
SHIMMED = ('float', 'int', 'str', 'repr', 'abs', 'sum', 'round', 'pow', 'divmod')
def builtins_for(filename, rewritten=()):
    import builtins
    b = dict(vars(builtins))
    mods = {'math': _make_math(), 'random': _make_random(), 'parallel': _make_parallel()}

    def _import(name, globals=None, locals=None, fromlist=(), level=0):
        if name in mods:
            return mods[name]
        raise ImportError("no module named '%s' on the device" % name)

    b.update({
        '__import__': _import, 'print': _print,
        '_binop': _binop, '_unop': _unop, '_iop': _iop,
    })
    for name in SHIMMED:
        fn = globals()['_' + name]
        b['_' + name] = fn
        if name not in rewritten:
            b[name] = fn
    return b


def run(path, plain=False):
    """The program's expected output; `plain` runs it under unmodified
    CPython (same output format), to see which programs depend on f32/i32."""
    with open(path, encoding='utf-8') as f:
        source = f.read()
    return run_source(source, path, plain)


def run_source(source, filename, plain=False):
    """`run` on a program's text; `filename` names it in tracebacks (the
    error line is the innermost frame whose code comes from `filename`)."""
    if '\0' in source:
        # CPython's error for a file (compile() of a str words it otherwise).
        line = source[:source.index('\0')].count('\n') + 1
        return 'SyntaxError: source code cannot contain null bytes (line %d)\n' % line
    try:
        tree = ast.parse(dialect(source), filename)
    except SyntaxError as e:
        return 'SyntaxError: %s (line %d)\n' % (e.msg, e.lineno)
    calls = shimmed_calls(tree)
    if not plain:
        try:
            tree = ast.fix_missing_locations(Rewriter(calls).visit(tree))
        except CompileError as e:
            return '%s: %s (line %d)\n' % (e.kind, e.message, e.line)
    try:
        code = compile(tree, filename, 'exec')
    except SyntaxError as e:  # found by the symbol table (`nonlocal`, ...)
        return 'SyntaxError: %s (line %d)\n' % (e.msg, e.lineno)
    b = builtins_for(filename, calls)
    if plain:
        import builtins
        b = dict(vars(builtins), print=_plain_print, __import__=b['__import__'])
    g = {'__name__': '__main__', '__builtins__': b}
    del _out[:]
    tail = ''
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(20000)
    try:
        exec(code, g)
    except Exception as e:  # the error line is part of the output
        line = 0
        tb = e.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == filename:
                line = tb.tb_lineno
            tb = tb.tb_next
        msg = str(e)
        if isinstance(e, RecursionError) and 'getting the repr' not in msg:
            msg = 'maximum recursion depth exceeded'
        tail = '%s: %s (line %d)\n' % (type(e).__name__, msg, line)
    finally:
        sys.setrecursionlimit(old)
    text = ''.join(_out)
    # The runner sees whole lines; a last unfinished line is flushed as one.
    if text and not text.endswith('\n'):
        text += '\n'
    return text + tail


def _read_frame(stream):
    """One `LENGTH\nBYTES` frame (LENGTH in bytes, decimal); None at EOF."""
    header = stream.readline()
    if not header:
        return None
    n = int(header)
    data = stream.read(n)
    if len(data) != n:
        raise EOFError('short frame: %d of %d bytes' % (len(data), n))
    return data.decode('utf-8')


def _write_frame(stream, text):
    data = text.encode('utf-8')
    stream.write(b'%d\n' % len(data))
    stream.write(data)
    stream.flush()


def serve(stdin, stdout):
    """--serve: many programs through one python3 process (the differential
    test sends thousands). Each program arrives on stdin as a frame
    `LENGTH\nSOURCE` (LENGTH = the UTF-8 byte count, decimal) and its output,
    exactly what `f32shim.py PROGRAM.py` prints, goes back as a frame in the
    same format. Ends at EOF."""
    while True:
        source = _read_frame(stdin)
        if source is None:
            return
        _write_frame(stdout, run_source(source, '<program>'))


def main():
    import threading
    args = sys.argv[1:]
    plain = '--plain' in args
    args = [a for a in args if a != '--plain']
    threading.stack_size(512 << 20)
    if args == ['--serve']:
        t = threading.Thread(target=lambda: serve(sys.stdin.buffer, sys.stdout.buffer))
        t.start()
        t.join()
        return
    if len(args) != 1:
        sys.exit('usage: f32shim.py [--plain] PROGRAM.py | f32shim.py --serve')
    result = []
    t = threading.Thread(target=lambda: result.append(run(args[0], plain)))
    t.start()
    t.join()
    sys.stdout.write(result[0])


if __name__ == '__main__':
    main()
