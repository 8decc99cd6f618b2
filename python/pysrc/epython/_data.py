"""Device-resident data (design.md section 5): values that stay on the cores
between kernel launches, so kernels need not copy them each time.

Each name gets a slot in every core's data store (firmware/src/data.rs). A
kernel that reads the name has it bound to the slot: the core builds the
value before the kernel runs and keeps the (possibly mutated) value when it
ends. Copies are small kernels themselves, so they go through the same
scheduler and handles, in submission order with the kernels.
"""

import inspect
import keyword
import threading

from . import _native
from ._offload import _options, launch
from ._runtime import data_lost, data_slots, note_resets, runtime

__all__ = ["define_on_device", "copy_to_device", "copy_from_device"]

_SLOTS = 64
#: Items of a list or tuple per copy launch: a launch's arguments go through
#: the core's 64 KB inbox and its result through its 64 KB event ring, so a
#: big sequence travels in parts (2048 numbers encode to 16 KB).
CHUNK = 2048
_MISSING = object()
_lock = threading.Lock()
_copy_kernels = {}


def _check_name(name):
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise TypeError(f"a device variable's name must be an identifier, not {name!r}")
    if name.startswith("_epython_"):
        raise ValueError(f"names starting with _epython_ are reserved ({name!r})")


def _slot(name):
    """The data-store slot of ``name``, given one on first use."""
    with _lock:
        slot = data_slots.get(name)
        if slot is None:
            used = set(data_slots.values())
            free = [s for s in range(_SLOTS) if s not in used]
            if not free:
                raise MemoryError(f"the device holds at most {_SLOTS} device variables; "
                                  f"{name!r} would be one more")
            slot = data_slots[name] = free[0]
        return slot


_COPY_SOURCES = {
    # Set the value, or append a part of it (a big sequence, in parts).
    "to": "def _epython_copy_to(value):\n    global {0}\n    {0} = value\n",
    "more": "def _epython_copy_more(value):\n    global {0}\n    {0} = {0} + value\n",
    # The value, or its items lo..lo+n (n > 0), or its length.
    "from": "def _epython_copy_from(lo, n):\n    if n > 0:\n        return {0}[lo:lo + n]\n    return {0}\n",
    "len": "def _epython_copy_len():\n    return len({0})\n",
}


def _copy_kernel(kind, name):
    """One of the small kernels behind the copies, for ``name``."""
    key = (kind, name)
    k = _copy_kernels.get(key)
    if k is None:
        src = _COPY_SOURCES[kind].format(name)
        k = _copy_kernels[key] = _native.compile_kernel(src, f"<copy of {name}>", 1, f"_epython_copy_{kind}")
    return k


def _copy_options(target, async_, extra, where):
    opts = _options(dict(extra, target=target, async_=async_), ("async_", "target"), where)
    return opts


def copy_to_device(name, value, target=None, async_=False, **options):
    """Set device variable ``name`` to ``value`` on ``target`` cores (all by
    default). Blocking by default; ``async_=True`` returns a Handle. The
    other cores keep their own value."""
    _check_name(name)
    opts = _copy_options(target, async_, options, "copy_to_device()")
    # Cores reset since the last look lost their data first; then setting
    # it again on a core that lost it makes it whole there.
    note_resets(runtime())
    _slot(name)
    for core in (opts["target"] if opts.get("target") is not None else list(data_lost)):
        data_lost.get(core, set()).discard(name)
    what = f"copy_to_device({name!r}) value"
    if isinstance(value, (list, tuple)) and len(value) > CHUNK:
        # In parts, in submission order on the same cores: the last part's
        # handle ends after all of them. Checked whole first, so a bad item
        # in a later part leaves the device as it was.
        _native.check_value(value, what)
        parts = [value[i:i + CHUNK] for i in range(0, len(value), CHUNK)]
        handles = [launch(_copy_kernel("to" if i == 0 else "more", name), (part,), dict(opts, async_=True), [name],
                          what=what)
                   for i, part in enumerate(parts)]
        if not opts.get("async_"):
            try:
                for h in handles:
                    h.wait()
            except BaseException:
                # A blocking copy: nobody holds these handles (as launch()).
                for h in handles:
                    h._cancel_and_settle()
                raise
            return None
        return handles[-1]
    result = launch(_copy_kernel("to", name), (value,), opts, [name], what=what)
    return result if opts.get("async_") else None


def copy_from_device(name, target=None, async_=False, **options):
    """The value of device variable ``name`` on each of ``target`` cores (all
    by default), in core order; ``async_=True`` returns a Handle."""
    _check_name(name)
    if name not in data_slots:
        raise NameError(f"{name!r} is not defined on the device (define_on_device or copy_to_device first)")
    opts = _copy_options(target, async_, options, "copy_from_device()")
    if opts.get("async_"):
        # One launch: values up to about 60 KB encoded (copy blocking for more).
        return launch(_copy_kernel("from", name), (0, 0), opts, [name])
    return _copy_from_in_parts(name, opts)


def _copy_from_in_parts(name, opts):
    """Blocking copy: the length first (a sequence), then its items CHUNK
    at a time, so no part overflows a core's event ring."""
    from ._offload import DeviceError
    try:
        lengths = launch(_copy_kernel("len", name), (), opts, [name])
    except DeviceError as e:
        if e.type_name != "TypeError":
            raise
        lengths = None   # not a sequence on some core: a plain value
    if lengths is None or max(lengths) <= CHUNK:
        return launch(_copy_kernel("from", name), (0, 0), opts, [name])
    values = None
    for lo in range(0, max(lengths), CHUNK):
        part = launch(_copy_kernel("from", name), (lo, CHUNK), opts, [name])
        values = part if values is None else [v + p for v, p in zip(values, part)]
    return values


def define_on_device(name_or_value, value=_MISSING):
    """Define a device variable on every core with a host value.

    ``define_on_device(a)`` takes the name ``a`` from the caller's code (the
    name written in the call, else the one variable there whose value is
    this object);
    ``define_on_device("a", value)`` names it. Kernels then read ``a`` and
    mutate it (``a[i] = x``); rebinding it needs ``global a``, as in Python.
    """
    if value is _MISSING:
        value = name_or_value
        name = _name_in_caller(value)
    else:
        name = name_or_value
    runtime()  # open the device first: its note comes before any output
    copy_to_device(name, value)


def _name_written(caller, value):
    """The variable named in the caller's source line, `define_on_device(data)`
    (ePython's programs define several variables that all hold None this
    way): the argument of the line's one call of that name, when it is a
    plain name that holds `value`. None when the line cannot tell."""
    import ast
    import linecache
    line = linecache.getline(caller.f_code.co_filename, caller.f_lineno).strip()
    try:
        tree = ast.parse(line)
    except SyntaxError:
        return None
    calls = [node for node in ast.walk(tree)
             if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords
             and getattr(node.func, "id", getattr(node.func, "attr", None)) == "define_on_device"]
    if len(calls) != 1 or not isinstance(calls[0].args[0], ast.Name):
        return None
    name = calls[0].args[0].id
    held = caller.f_locals[name] if name in caller.f_locals else caller.f_globals.get(name, _MISSING)
    return name if held is value else None


def _name_in_caller(value):
    frame = inspect.currentframe()
    caller = frame.f_back.f_back if frame and frame.f_back else None
    try:
        if caller is None:
            raise TypeError("define_on_device(value) needs the caller's frame; use define_on_device('name', value)")
        written = _name_written(caller, value)
        if written is not None:
            return written
        names = [n for n, v in caller.f_locals.items() if v is value]
        if not names:
            names = [n for n, v in caller.f_globals.items() if v is value]
        names = sorted(set(names))
        if len(names) != 1:
            found = f"it is named {', '.join(names)}" if names else "no variable holds it"
            raise TypeError(f"define_on_device(value): cannot tell the variable's name ({found}); "
                            f"use define_on_device('name', value)")
        return names[0]
    finally:
        del frame, caller
