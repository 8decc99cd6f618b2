"""The offload decorators, launch handles and errors (design.md section 5).

A decorated function is compiled for the cores when it is decorated (so a
compile error shows at once, with the file's line numbers). The host
globals it reads are resolved at its first launch: their values then are
what the kernel sees. Each call binds the arguments with the function's own
signature (defaults from ``__defaults__``), and submits a launch to the
scheduler; a blocking call waits for it, an async one returns its Handle.
"""

import ast
import builtins
import inspect
import linecache
import math
import textwrap
import threading
import time
import types

from . import _native, _runtime
from ._runtime import data_lost, data_slots, flush_prints, note_resets, runtime

__all__ = [
    "offload", "offload_single", "offload_multiple", "waitAll",
    "Handle", "DeviceError", "CancelledError",
]

#: Options of ``@offload(...)`` and of each call; reserved as parameter names.
CALL_OPTIONS = ("async_", "auto", "target")
#: What a call's keywords may hold of them (``**{"async": True}`` too).
_OPTION_NAMES = CALL_OPTIONS + ("async",)
#: Modules that exist on the device.
DEVICE_MODULES = ("math", "random", "parallel")
#: The languages a kernel may be written in: ``@offload(dialect=...)``.
DIALECTS = ("python3", "epython")
#: The smallest magnitude that rounds to inf in single precision (half an
#: ulp above the largest f32, ties to even): a finite float from here on
#: cannot travel.
F32_OVERFLOW = 2.0**128 - 2.0**103
#: Longest slice a wait sleeps in Rust before Python looks at signals and prints.
WAIT_SLICE = 0.05
#: How long a blocking copy (copy_to_device in parts) stopped by an
#: exception waits for its cancelled launches to end: the scheduler halts
#: and reloads cores still running after 1 s. (A blocking call's launch
#: settles in Rust, Runtime.run, with the same bound.)
CANCEL_SETTLE = 2.0


class DeviceError(Exception):
    """A kernel failed on a core.

    Attributes: ``core`` (the core's id), ``kernel`` (the function's name),
    ``line`` (the line in the kernel's file), ``type_name`` (the Python
    exception on the core, e.g. ``"ZeroDivisionError"``, or ``"CoreFault"``),
    ``message``, ``filename`` and ``results`` (each core's return value, in
    core order, with None for cores that failed).
    """

    def __init__(self, message, *, core=None, kernel=None, line=None, type_name=None,
                 filename=None, results=None, reason=None):
        self.core = core
        self.kernel = kernel
        self.line = line
        self.type_name = type_name
        self.filename = filename
        self.results = results if results is not None else []
        self.message = message
        where = [f"kernel '{kernel}'"] if kernel else []
        if core is not None:
            where.append(f"core {core}")
        if line:
            where.append(f"{filename}:{line}" if filename else f"line {line}")
        text = f"{type_name}: {message}" if type_name else message
        super().__init__(f"{', '.join(where)}: {text}" if where else text)
        self.reason = reason


class CancelledError(DeviceError):
    """``wait()`` on a launch that was cancelled."""


# --- kernels -------------------------------------------------------------

def _source_of(func, source):
    """(dedented source, file name, first line) of the kernel."""
    if source is not None:
        return textwrap.dedent(source), f"<source of {func.__name__}>", 1
    try:
        lines, first = inspect.getsourcelines(func)
    except (OSError, TypeError) as e:
        raise TypeError(
            f"cannot find the source of kernel '{func.__name__}' ({e}); a function typed at the "
            f"REPL, given to -c or made by exec() has none: pass it as "
            f"@offload(source='''def {func.__name__}(...): ...''')") from None
    return textwrap.dedent("".join(lines)), inspect.getsourcefile(func) or func.__code__.co_filename, first


def _kernel_def(source, name):
    """The kernel's ``def`` in its source (ast.FunctionDef), or None when
    CPython cannot parse it (ePython's dialect, ``print "x"``: the device
    compiler took it)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    return next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name), None)


def _def_lines(source, name, first_line):
    """The file lines of the kernel's ``def`` and of each of its parameters,
    ``(line, {param: line})``; ``first_line`` is the file line the source
    starts at."""
    func = _kernel_def(source, name)
    if func is None:
        return first_line, {}
    a = func.args
    params = a.posonlyargs + a.args + a.kwonlyargs + [x for x in (a.vararg, a.kwarg) if x is not None]
    return first_line + func.lineno - 1, {p.arg: first_line + p.lineno - 1 for p in params}


def _binder(func):
    """A host function with the kernel's parameters, defaults and name that
    returns its arguments' values in parameter order: calling it binds a
    call as CPython binds it, with CPython's messages (``f() missing 1
    required positional argument: 'b'``, ``f() got an unexpected keyword
    argument 'c'``)."""
    params = list(inspect.signature(func).parameters.values())
    text = []
    for i, p in enumerate(params):
        if p.kind == p.KEYWORD_ONLY and (i == 0 or params[i - 1].kind != p.KEYWORD_ONLY):
            text.append("*")
        text.append(p.name)  # identifiers: from a real signature
        if p.kind == p.POSITIONAL_ONLY and (i + 1 == len(params) or params[i + 1].kind != p.POSITIONAL_ONLY):
            text.append("/")
    namespace = {}
    exec(f"def binder({', '.join(text)}):\n    return ({''.join(p.name + ', ' for p in params)})\n", namespace)
    binder = namespace["binder"]
    binder.__defaults__ = func.__defaults__
    binder.__kwdefaults__ = func.__kwdefaults__
    binder.__name__, binder.__qualname__ = func.__name__, func.__qualname__
    binder.__code__ = binder.__code__.replace(co_name=func.__name__, co_qualname=func.__qualname__)
    return binder


def _free_names(source, name, first_line=1, dialect="python3"):
    """Names the kernel reads that it does not bind itself, ``{name: line}``
    (the line in the file, ``first_line`` being the source's first), and
    the names it stores through ``global`` (``global s; s = 7``), likewise: a
    device variable among those is bound to its slot whether or not the
    kernel reads it (or the store is lost), and one that exists nowhere is
    the kernel's own new global. In the ePython dialect names that differ
    only in case are one name (each keeps its first spelling)."""
    func = _kernel_def(source, name)
    if func is None:
        return {}, {}
    bound, declared_global, reads, stores = set(), set(), {}, {}
    args = func.args
    for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
        if a is not None:
            bound.add(a.arg)
    def first(where, name, line):
        # ast.walk goes breadth first: keep the earliest line.
        where[name] = min(where.get(name, line), line)

    # The body only: decorators (@offload) and defaults run on the host.
    body = [n for stmt in func.body for n in ast.walk(stmt)]
    for node in body:
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                first(reads, node.id, node.lineno)
            else:
                bound.add(node.id)
                first(stores, node.id, node.lineno)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            # `s += 1` reads s first (its target is a Store in the AST).
            first(reads, node.target.id, node.target.lineno)
        elif isinstance(node, (ast.FunctionDef, ast.Lambda)):
            if isinstance(node, ast.FunctionDef):
                bound.add(node.name)
            a = node.args
            bound.update(x.arg for x in a.posonlyargs + a.args + a.kwonlyargs)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((al.asname or al.name).split(".")[0] for al in node.names)
        elif isinstance(node, ast.Global):
            declared_global.update(node.names)
    # Defaults are evaluated where the function is defined: always global.
    for d in args.defaults + [d for d in args.kw_defaults if d is not None]:
        for node in ast.walk(d):
            if isinstance(node, ast.Name):
                first(reads, node.id, node.lineno)
    if dialect != "python3":
        fold = lambda n: _native.fold_name(n, dialect)  # noqa: E731
        bound, declared_global, name = {fold(n) for n in bound}, {fold(n) for n in declared_global}, fold(name)
        reads, stores = _by_folded(reads, fold), _by_folded(stores, fold)
    else:
        def fold(n):
            return n
    free = {n: first_line + line - 1 for n, line in reads.items()
            if fold(n) != name and (fold(n) not in bound or fold(n) in declared_global)}
    return free, {n: first_line + line - 1 for n, line in stores.items() if fold(n) in declared_global}


def _by_folded(where, fold):
    """``{name: line}`` with one entry per folded name: its earliest line,
    under the spelling found there."""
    out = {}
    for n, line in sorted(where.items(), key=lambda item: item[1]):
        out.setdefault(fold(n), (n, line))
    return dict(out.values())


def _literal(value, depth=0):
    """Device source text for a host value, or None if it cannot travel;
    OverflowError for a number beyond the device's (as for arguments)."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        if not -2**31 <= value < 2**31:
            raise OverflowError(f"{value} does not fit in 32 bits (ints on the device are 32-bit)")
        return repr(value)
    if isinstance(value, float):
        if math.isfinite(value) and abs(value) >= F32_OVERFLOW:
            raise OverflowError(f"{value!r} is out of range for a float on the device (floats on the device "
                                f"are single precision: at most 3.4028235e+38 in magnitude)")
        if math.isnan(value):
            return "float('nan')"
        if math.isinf(value):
            return "float('inf')" if value > 0 else "-float('inf')"
        return repr(value)
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (list, tuple)) and depth < 8:
        items = [_literal(v, depth + 1) for v in value]
        if any(i is None for i in items):
            return None
        if isinstance(value, tuple):
            return "(" + "".join(i + ", " for i in items) + ")"
        return "[" + ", ".join(items) + "]"
    return None


def _host_name(var, names, dialect, where):
    """The name in ``names`` (host globals, device data) that the kernel's
    ``var`` means: itself, or in the ePython dialect, whose names are
    case-insensitive, the one that folds to the same name (NameError when
    several do)."""
    if var in names or dialect != "epython":
        return var if var in names else None
    folded = _native.fold_name(var, dialect)
    matches = sorted(n for n in names if _native.fold_name(n, dialect) == folded)
    if len(matches) > 1:
        raise NameError(f"{where}: '{var}' could be any of {', '.join(map(repr, matches))} "
                        f"(names are case-insensitive in the ePython dialect)")
    return matches[0] if matches else None


def _prelude(name, filename, func, free, values=True, own=(), dialect="python3"):
    """Statements giving the kernel the host globals it reads (``free``, from
    _free_names): imports of the device modules (math, random, parallel)
    and, with ``values``, the values of the others (at first launch).
    Device-resident names are left to the device; a name in ``own`` (the
    kernel stores it through ``global``) that exists nowhere is its own.
    In the ePython dialect a name matches host names whatever their case,
    and the names ePython knows without an import (``coreid()``,
    ``sqrt(x)``) are the device's."""
    stmts = []
    implicit = set(_native.implicit_names(dialect))
    for var, line in sorted(free.items()):
        where = f"kernel '{name}' ({filename}:{line})"
        if _host_name(var, data_slots, dialect, where) is not None:
            continue
        host = _host_name(var, func.__globals__, dialect, where)
        if host is not None:
            value = func.__globals__[host]
        elif _native.fold_name(var, dialect) in implicit:
            continue
        elif hasattr(builtins, _native.fold_name(var, dialect)):
            continue  # a builtin: the device has its own (or says it has not)
        elif not values or var in own:
            continue
        else:
            raise NameError(f"{where}: name '{var}' is not defined")
        if isinstance(value, types.ModuleType):
            mod = value.__name__
            if mod not in DEVICE_MODULES:
                raise TypeError(f"{where}: reads module '{mod}', which the device does not have "
                                f"(it has {', '.join(DEVICE_MODULES)})")
            stmts.append(f"import {mod}" if mod == var else f"import {mod} as {var}")
            continue
        if callable(value) and getattr(value, "__module__", None) in DEVICE_MODULES:
            mod, attr = value.__module__, getattr(value, "__name__", var)
            stmts.append(f"from {mod} import {attr}" if attr == var else f"from {mod} import {attr} as {var}")
            continue
        if not values:
            continue
        try:
            text = _literal(value)
        except OverflowError as e:
            raise OverflowError(f"{where}: reads global '{var}': {e}") from None
        if text is None:
            kind = "a function defined on the host (define helpers inside the kernel)" \
                if callable(value) else f"a '{type(value).__name__}' value that cannot travel to the device"
            raise TypeError(f"{where}: reads global '{var}', {kind}")
        stmts.append(f"{var} = {text}")
    return "\n".join(stmts) + "\n" if stmts else ""


def _dialect_of(option, filename, source):
    """The kernel's dialect: the ``dialect=`` option, else the marker line
    (``# epython: dialect=epython`` first) of ``source`` when it was given
    (``source=``), else of the kernel's file, else Python 3."""
    if option is not None:
        if option not in DIALECTS:
            raise ValueError(f"offload(): dialect={option!r}: use one of {', '.join(map(repr, DIALECTS))}")
        return option
    head = source if source is not None else "".join(linecache.getlines(filename)[:2])
    try:
        return _native.dialect_marker(head) or "python3"
    except SyntaxError as e:
        raise SyntaxError(f"{e.msg}", (filename, 1, 1, None)) from None


def _check_target(target):
    if target is None:
        return None
    if isinstance(target, bool) or not isinstance(target, (int, list, tuple, range)):
        raise TypeError(f"target must be a core id or a list of core ids, not {type(target).__name__}")
    cores = [target] if isinstance(target, int) else list(target)
    for c in cores:
        if type(c) is not int and (isinstance(c, bool) or not isinstance(c, int)):
            raise TypeError(f"target core ids must be ints, not {type(c).__name__}")
        if c < 0:
            raise ValueError(f"target core {c} is out of range (core ids start at 0)")
    if len(set(cores)) != len(cores):
        dupes = sorted({c for c in cores if cores.count(c) > 1})
        raise ValueError(f"target lists core {dupes[0]} more than once")
    if not cores:
        raise ValueError("target names no cores")
    return sorted(cores)


def _check_auto(auto):
    if auto is None:
        return None
    if isinstance(auto, bool) or not isinstance(auto, int):
        raise TypeError(f"auto must be a number of cores, not {type(auto).__name__}")
    if auto < 1:
        raise ValueError(f"auto={auto}: ask for at least one core")
    return auto


def _options(given, allowed, where):
    """Checked options: async_ (bool), auto (int), target (sorted list)."""
    opts = dict(given)
    if "async" in opts:
        if "async_" in opts:
            raise TypeError(f"{where}: give async_ or async, not both")
        opts["async_"] = opts.pop("async")
    if any(k not in allowed for k in opts):
        unknown = sorted(set(opts) - set(allowed))
        raise TypeError(f"{where} got an unexpected option {unknown[0]!r} "
                        f"(options: {', '.join(allowed)})")
    if opts.get("auto") is not None and opts.get("target") is not None:
        raise TypeError(f"{where}: give auto or target, not both")
    if "target" in opts:
        opts["target"] = _check_target(opts["target"])
    if "auto" in opts:
        opts["auto"] = _check_auto(opts["auto"])
    if "async_" in opts:
        opts["async_"] = bool(opts["async_"])
    return opts


class Offloaded:
    """A function whose calls run on the Epiphany cores (made by ``@offload``)."""

    def __init__(self, func, options):
        opts = dict(options)
        source = opts.pop("source", None)
        dialect = opts.pop("dialect", None)
        self._options = _options(opts, CALL_OPTIONS, "offload()")
        self.__wrapped__ = func
        for attr in ("__module__", "__name__", "__qualname__", "__doc__"):
            setattr(self, attr, getattr(func, attr, None))
        signature = inspect.signature(func)
        self._source, filename, first_line = _source_of(func, source)
        self._first_line = first_line
        self._def_line, self._param_lines = _def_lines(self._source, func.__name__, first_line)
        for p in signature.parameters.values():
            where = f"kernel '{func.__name__}' ({filename}:{self._param_lines.get(p.name, self._def_line)})"
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                raise TypeError(f"{where} takes {p}: the device's functions take a fixed list of parameters")
            if p.name in CALL_OPTIONS:
                raise TypeError(f"{where} has a parameter named '{p.name}', which is "
                                f"reserved for offload's options ({', '.join(CALL_OPTIONS)}); rename it")
        self._bind = _binder(func)
        self._n_params = len(signature.parameters)
        self._params = tuple(signature.parameters)
        # The decorator's placement, for calls that give no options.
        self._placement = (self._options.get("target"), self._options.get("auto"), self._options.get("async_", False))
        # Device modules the host imported are known now; other globals at
        # the first launch.
        self._dialect = _dialect_of(dialect, filename, source)
        self._free, self._stored_globals = _free_names(self._source, func.__name__, first_line, self._dialect)
        imports = _prelude(func.__name__, filename, func, self._free, values=False, dialect=self._dialect)
        self._kernel = _native.compile_kernel(self._source, filename, first_line, func.__name__, imports,
                                              self._dialect)
        self._resolved = None
        self._data = []
        self._data_lines = {}
        self._resolve_lock = threading.Lock()

    @property
    def kernel(self):
        """The compiled kernel (``_native.Kernel``)."""
        return self._resolved or self._kernel

    def _launch_kernel(self):
        """The kernel with the host globals it reads, resolved once: host
        values copied in, device-resident names bound to their slots."""
        with self._resolve_lock:
            if self._resolved is None:
                prelude = _prelude(self._kernel.name, self._kernel.filename, self.__wrapped__, self._free,
                                   own=self._stored_globals, dialect=self._dialect)
                k = self._kernel
                k = k if not prelude else _native.compile_kernel(
                    self._source, k.filename, self._first_line, k.name, prelude, self._dialect)
                # Device data the kernel uses, by the host's names; the
                # image's globals are the kernel's (folded in the dialect).
                used = {_native.fold_name(n, self._dialect): line
                        for n, line in {**self._stored_globals, **self._free}.items()}
                data = {}
                for n in data_slots:
                    g = _native.fold_name(n, self._dialect)
                    if g in used and g in k.globals:
                        if g in data:
                            raise NameError(f"kernel '{k.name}' ({k.filename}:{used[g]}): device data "
                                            f"'{data[g]}' and '{n}' are one name in the ePython dialect")
                        data[g] = n
                self._data = [data[g] for g in k.globals if g in data]
                self._data_lines = {data[g]: used[g] for g in k.globals if g in data}
                self._resolved = k
            return self._resolved

    def __call__(self, *args, **kwargs):
        kernel = self._resolved
        if kwargs or kernel is None or self._data or len(args) != self._n_params:
            return self._call(args, kwargs)
        # The common call, kept short (it is the launch latency): every
        # parameter given by position, the decorator's options, no device
        # data; binding would give `args` as they are.
        target, auto, async_ = self._placement
        rt = _runtime._runtime
        if rt is None or rt.closed:
            rt = runtime()
        if async_:
            return Handle(rt, rt.submit(kernel, args, target, auto), kernel)
        ended = rt.run(kernel, args, target, auto, None, None, flush_prints)
        return ended if type(ended) is list else _failed(kernel, ended)

    def _call(self, args, kwargs):
        """A call with options, keywords, defaults to fill or device data
        (and the first call, which resolves the kernel's globals)."""
        opts = self._options
        if "dialect" in kwargs and "dialect" not in self._params:
            raise TypeError(f"{self.__name__}(): dialect= is an option of @offload(...), not of a call "
                            f"(the kernel was compiled in {self._dialect} when it was decorated)")
        if kwargs:
            call_opts = {}
            for k in _OPTION_NAMES:
                if k in kwargs:
                    call_opts[k] = kwargs.pop(k)
            if len(call_opts) == 1 and "target" in call_opts:
                # The usual call option, checked without the general path
                # (the same outcome: a target replaces the decorator's auto).
                target = _check_target(call_opts["target"])
                opts = {**opts, "target": target}
                if target is not None:
                    opts.pop("auto", None)
            elif call_opts:
                opts = dict(opts)
                call_opts = _options(call_opts, CALL_OPTIONS, f"{self.__name__}()")
                # A call's auto or target replaces the decorator's placement.
                if call_opts.get("target") is not None or call_opts.get("auto") is not None:
                    opts.pop("target", None)
                    opts.pop("auto", None)
                opts.update(call_opts)
        try:
            # Binding would give every-positional `args` as they are.
            values = args if not kwargs and len(args) == self._n_params else self._bind(*args, **kwargs)
        except TypeError as e:
            raise TypeError(f"{e} ({self._kernel.filename}:{self._binding_line(str(e))})") from None
        kernel = self._resolved or self._launch_kernel()
        return launch(kernel, values, opts, self._data, self._data_lines)

    def _binding_line(self, message):
        """The file line for an argument-binding error: the first parameter
        its message names (CPython quotes them), else the ``def``'s."""
        for quoted in message.split("'")[1::2]:
            if quoted in self._param_lines:
                return self._param_lines[quoted]
        return self._def_line

    def __repr__(self):
        return f"<offloaded kernel {self.__qualname__} {self._options or ''}>"


def launch(kernel, values, opts, data=(), lines=None, what=None):
    """Submit one launch of ``kernel``; its Handle, or (blocking) its values.
    ``data``: the device-resident names it binds (they must be defined);
    ``lines``: where the kernel uses each, for errors; ``what``: the
    caller's name for the argument, in errors about its value."""
    rt = runtime()
    bindings = []
    target = opts.get("target")
    if data:
        note_resets(rt)
    for name in data:
        slot = data_slots.get(name)
        if slot is None:
            where = f" ({kernel.filename}:{lines[name]})" if lines and name in lines else ""
            raise NameError(f"kernel '{kernel.name}'{where}: '{name}' is not defined on the device")
        lost = sorted(c for c, names in data_lost.items() if name in names and (target is None or c in target))
        if lost:
            raise DeviceError(f"device data '{name}' was lost on core {lost[0]} when the core was reloaded "
                              f"after a fault; define it again (define_on_device or copy_to_device)",
                              core=lost[0], kernel=kernel.name, type_name="DataLost")
        bindings.append((kernel.globals.index(_native.fold_name(name, kernel.dialect)), slot))
    if opts.get("async_"):
        return Handle(rt, rt.submit(kernel, values, target, opts.get("auto"), bindings, what), kernel, data)
    # Blocking: Runtime.run follows the launch to its end, cancelling it
    # if an exception (Ctrl-C) stops the wait.
    ended = rt.run(kernel, values, target, opts.get("auto"), bindings, what, flush_prints)
    return ended if type(ended) is list else _failed(kernel, ended)


def offload(func=None, /, **options):
    """Run the function on the Epiphany cores.

    ``@offload``: on every core, blocking; returns each core's value, in
    core order. Options, in the decorator or in each call (the call's win):
    ``async_=True`` (return a Handle; ``**{"async": True}`` works too),
    ``auto=N`` (any N free cores), ``target=[1, 5, 8]`` or ``target=3``.
    ``source="def f(...): ..."`` gives the source where Python has none.
    ``dialect="epython"`` compiles the kernel in ePython's language (C's
    integer ``/`` and ``%``, ``^`` as power, case-insensitive names, ...;
    default: the marker line ``# epython: dialect=epython`` of the kernel's
    file, else ``"python3"``); it is the decorator's only, not a call's.
    """
    if func is not None:
        if not callable(func):
            raise TypeError("offload() takes options as keywords: @offload(auto=4)")
        return Offloaded(func, options)
    return lambda f: Offloaded(f, options)


def offload_single(func=None, /, **options):
    """Asynchronous, on any one free core: each call returns a Handle."""
    return offload(func, **{"async_": True, "auto": 1, **options})


def offload_multiple(func=None, /, *, cores, **options):
    """Asynchronous, on ``cores`` free cores: each call returns a Handle."""
    return offload(func, **{"async_": True, "auto": cores, **options})


def waitAll(*handles):  # noqa: N802 (ePython's name)
    """Wait for every handle; a list of each one's ``wait()``."""
    if len(handles) == 1 and isinstance(handles[0], (list, tuple)):
        handles = tuple(handles[0])
    _collect_many(handles)
    return [h.wait() for h in handles]


def _collect_many(handles):
    """Collect the launches of ``handles`` in order, in as few waits as
    possible (Runtime.collect_many: handles waited in turn would each start
    and stop following the launches). Stops at the first launch that did
    not return on every core (``wait()`` then raises its error in order),
    at a handle another thread holds, or at one of another device."""
    batch = []
    rt = None
    try:
        for h in handles:
            if not isinstance(h, Handle) or h._final:
                continue
            if (rt is not None and h._rt is not rt) or not h._lock.acquire(blocking=False):
                break
            rt = h._rt
            batch.append(h)
        while batch:
            got, masks = rt.collect_many([h._job for h in batch], WAIT_SLICE, flush_prints)
            taken, batch = batch[:len(got)], batch[len(got):]
            for h, r, mask in zip(taken, got, masks):
                if r is not None:
                    h._take(r, mask)
            failed = any(h._values is None for h in taken)
            while taken:
                taken.pop()._lock.release()
            if failed:
                break
    finally:
        for h in batch:
            h._lock.release()


# --- handles -------------------------------------------------------------

def _note_reloads(outcomes):
    """A core reloaded after a fault lost its device-resident data."""
    for core, kind, _ in outcomes:
        if kind in ("fault", "protocol", "timeout"):
            data_lost[core] = set(data_slots)

_FINAL = ("finished", "cancelled", "failed")
#: A handle's view before its first look.
_QUEUED = ("queued", "", ())


def _error(kernel, core, kind, payload, results):
    """The exception for a core that did not return."""
    if kind == "error":
        # file: the source module (util.py) the line is in, else None.
        type_name, message, line, file = payload
        return DeviceError(message, core=core, kernel=kernel.name, line=line, type_name=type_name,
                           filename=file or kernel.filename, results=results)
    if kind == "cancelled":
        return CancelledError("the launch was cancelled", core=core, kernel=kernel.name,
                              type_name="Cancelled", results=results)
    if kind == "timeout":
        payload = "the core did not finish and was reset"
    return DeviceError(str(payload), core=core, kernel=kernel.name,
                       type_name="CoreFault" if kind == "fault" else "DeviceError",
                       filename=kernel.filename, results=results)


def _results(kernel, last):
    """Each core's value from an ended launch ``(state, detail, outcomes)``,
    or the exception of the first core (in core order) that did not return."""
    state, detail, outcomes = last
    if state == "failed":
        raise DeviceError(f"the launch failed: {detail}", kernel=kernel.name)
    if state == "cancelled":
        raise CancelledError("the launch was cancelled before it started", kernel=kernel.name,
                             type_name="Cancelled")
    results = [payload if kind == "ok" else None for _, kind, payload in outcomes]
    for core, kind, payload in outcomes:
        if kind != "ok":
            raise _error(kernel, core, kind, payload, results)
    return results


def _failed(kernel, ended):
    """A blocking launch that ended without every core returning: note the
    reloaded cores, raise the first core's exception."""
    _note_reloads(ended[2])
    return _results(kernel, ended)


class Handle:
    """A launch in flight. Thread-safe; ``await handle`` works in asyncio.

    ``test()`` is True once every core has finished (ePython's tutorial says
    "at least one" while its code checks all; ``test_any()`` is that one).
    """

    # Slots and shared initial values: thousands of handles in flight are
    # that many objects for the cyclic GC to visit, not five times as many.
    __slots__ = ("_rt", "_job", "_kernel", "_data", "_lock", "_last", "_final", "_values", "_cores",
                 "_collected", "__weakref__")

    def __init__(self, rt, job, kernel, data=()):
        self._rt = rt
        self._job = job
        self._kernel = kernel
        self._data = data
        self._lock = threading.Lock()
        self._last = _QUEUED
        self._final = False
        # Once every core returned (Runtime.collect): their values and a
        # mask of the cores; `_last` is then built only if asked for.
        self._values = None
        self._cores = 0
        # Cores wait_any() has handed out: {core: value}, made by its first call.
        self._collected = None

    def _view(self):
        """The launch as last seen, ``(state, detail, outcomes)``."""
        if self._last is None:
            cores = [c for c in range(self._cores.bit_length()) if self._cores >> c & 1]
            self._last = ("finished", "", list(zip(cores, ["ok"] * len(cores), self._values)))
        return self._last

    def _poll(self, timeout, any_new=False):
        with self._lock:
            if not self._final:
                collected = list(self._collected or ()) if any_new else None
                self._last = tuple(self._rt.wait(self._job, timeout, collected))
                if self._last[0] in _FINAL:
                    self._final = True
                    self._rt.forget(self._job)
                    _note_reloads(self._last[2])
            last = self._view()
        flush_prints(self._rt)
        return last

    def _collect(self, timeout):
        """One slice of ``wait()``: Runtime.collect (under the lock)."""
        with self._lock:
            if not self._final:
                self._take(*self._rt.collect(self._job, timeout, flush_prints))

    def _take(self, got, mask):
        """Keep what Runtime.collect gave (the lock held)."""
        if type(got) is list:
            self._values, self._cores = got, mask
            self._last = None
            self._final = True
            return
        self._last = tuple(got)
        if got[0] in _FINAL:
            self._final = True
            _note_reloads(got[2])

    def _results(self):
        if self._values is None:
            return _results(self._kernel, self._last)
        return list(self._values)

    def wait(self, timeout=None):
        """Each core's return value, in core order, once all have finished.

        Raises TimeoutError after ``timeout`` seconds (the launch goes on),
        DeviceError if a core failed, CancelledError if it was cancelled.
        Ctrl-C raises KeyboardInterrupt and the launch goes on too (you hold
        its handle: ``cancel()`` it); a blocking call cancels its launch.
        """
        if self._final:
            return self._results()
        deadline = None if timeout is None else time.monotonic() + max(0.0, timeout)
        while True:
            left = WAIT_SLICE if deadline is None else min(WAIT_SLICE, deadline - time.monotonic())
            self._collect(max(0.0, left))
            if self._final:
                return self._results()
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"kernel '{self._kernel.name}' did not finish within {timeout} s "
                                   f"({self._describe(self._view())}); it goes on running: wait again or cancel()")

    def _cancel_and_settle(self):
        """Cancel the launch and wait until the scheduler has stopped it
        (the cores stop at their next halt check, or are halted and reloaded
        after the scheduler's grace); bounded, so a core that does not stop
        cannot hold an exception back for long."""
        if self._final or not self.cancel():
            return
        deadline = time.monotonic() + CANCEL_SETTLE
        while time.monotonic() < deadline and self._poll(WAIT_SLICE)[0] not in _FINAL:
            pass

    def wait_any(self, timeout=None):
        """``(core, value)`` of a core that has finished and was not yet
        collected by wait_any (the first to finish, as far as one look
        tells); raises that core's DeviceError if it failed."""
        deadline = None if timeout is None else time.monotonic() + max(0.0, timeout)
        while True:
            left = WAIT_SLICE if deadline is None else min(WAIT_SLICE, deadline - time.monotonic())
            state, detail, outcomes = self._poll(max(0.0, left), any_new=True)
            with self._lock:
                if self._collected is None:
                    self._collected = {}
                for core, kind, payload in outcomes:
                    if kind != "running" and core not in self._collected:
                        self._collected[core] = payload
                        if kind != "ok":
                            raise _error(self._kernel, core, kind, payload, [])
                        return core, payload
            if state in _FINAL:
                if state != "finished":
                    _results(self._kernel, (state, detail, outcomes))
                raise ValueError(f"every core of kernel '{self._kernel.name}' was already collected by wait_any()")
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"no core of kernel '{self._kernel.name}' finished within {timeout} s")

    def test(self):
        """True once every core has finished."""
        return self._poll(0.0)[0] in _FINAL

    def test_any(self):
        """True once at least one core has finished."""
        state, _, outcomes = self._poll(0.0)
        return state in _FINAL or any(kind != "running" for _, kind, _ in outcomes)

    def done(self):
        """True once the launch has ended (finished, failed or cancelled)."""
        return self.test()

    def cancel(self):
        """Stop the launch: a queued one never starts; running cores stop at
        their next loop step or call (their device data is kept). Returns
        False if it had already ended. ``wait()`` then raises CancelledError
        (cores that finished first keep their results in ``.results``)."""
        return self._rt.cancel(self._job)

    @property
    def cores(self):
        """The cores of the launch (empty while an ``auto`` launch waits)."""
        return [core for core, _, _ in self._poll(0.0)[2]]

    @property
    def kernel(self):
        return self._kernel.name

    def _describe(self, last):
        state, _, outcomes = last
        if state == "running":
            left = sum(1 for _, kind, _ in outcomes if kind == "running")
            return f"running on cores {[c for c, _, _ in outcomes]}, {left} still running"
        return state

    def __repr__(self):
        return f"<epython.Handle kernel={self._kernel.name!r} {self._describe(self._poll(0.0))}>"

    def __await__(self):
        import asyncio
        return asyncio.get_running_loop().run_in_executor(None, self.wait).__await__()

    def __del__(self):
        try:
            if not self._final:
                self._rt.forget(self._job)
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass
