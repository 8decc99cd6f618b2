"""The one open device of this process: opened on first use, closed at exit.

Prints from kernels are written here, to ``sys.stdout``, by whichever Python
thread waits (design.md section 8), under one lock so each core's lines keep
their order.
"""

import atexit
import sys
import threading

from . import _native

_lock = threading.Lock()
_print_lock = threading.Lock()
_runtime = None

#: Device-resident data of the open device: name -> data-store slot.
data_slots = {}
#: Device-resident names each core lost when it was reloaded: core -> names.
data_lost = {}
#: Each core's reset count when last looked at (Runtime.reset_counts).
_resets_seen = []


def note_resets(rt):
    """Mark the device data of every core reset since the last look as lost
    (a fault, a timeout or an unanswered cancel reloads a core, also in a
    launch nobody waits for)."""
    counts = rt.reset_counts()
    with _lock:
        if len(_resets_seen) != len(counts):
            _resets_seen[:] = counts  # first look since the device opened
            return
        for core, (seen, now) in enumerate(zip(_resets_seen, counts)):
            if now != seen and data_slots:
                data_lost[core] = set(data_slots)
        _resets_seen[:] = counts


def runtime():
    """The open device, opening it (and booting its cores) on first use."""
    global _runtime
    rt = _runtime
    if rt is not None and not rt.closed:
        return rt
    with _lock:
        if _runtime is None or _runtime.closed:
            rt = _native.Runtime.open()
            if rt.note:
                print(rt.note, file=sys.stderr)
            _resets_seen[:] = rt.reset_counts()
            _runtime = rt
        return _runtime


def flush_prints(rt=None):
    """Write the kernels' pending output lines as ``[device K] text``."""
    rt = rt if rt is not None else _runtime
    if rt is None or rt.closed:
        return
    with _print_lock:
        lines = rt.take_prints()
        if lines:
            out = sys.stdout
            out.write("".join(f"[device {core}] {text}\n" for core, text in lines))
            out.flush()


def close():
    """Close the device: prints still pending are written, running launches
    are cancelled, the cores halted. The next use opens it again."""
    global _runtime
    with _lock:
        rt, _runtime = _runtime, None
        data_slots.clear()
        data_lost.clear()
        _resets_seen.clear()
    if rt is not None and not rt.closed:
        try:
            flush_prints(rt)
        finally:
            rt.close()


atexit.register(close)
