"""The one open device of this process: opened on first use, closed at exit.

Prints from kernels are written here, to ``sys.stdout``, from Python code
(design.md section 8): by whichever thread waits for a launch, and by a
printer thread for launches nobody waits on yet, under one lock so each
core's lines keep their order. The printer is a daemon thread that sleeps
in Rust in short slices; it is stopped and joined at exit, before the
interpreter finalizes.
"""

import atexit
import sys
import threading

from . import _native

_lock = threading.Lock()
_print_lock = threading.Lock()
_runtime = None
_printer = None
_printer_stop = threading.Event()

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
            _start_printer(rt)
        return _runtime


def _start_printer(rt):
    global _printer
    _printer_stop.clear()

    def run():
        while not _printer_stop.is_set() and not rt.closed:
            try:
                if rt.wait_prints(0.1):
                    flush_prints(rt)
            except Exception:  # noqa: BLE001 - closed under us: stop quietly
                return

    _printer = threading.Thread(target=run, name="epython-printer", daemon=True)
    _printer.start()


def flush_prints(rt=None):
    """Write the kernels' pending output lines as ``[device K] text``."""
    rt = rt if rt is not None else _runtime
    if rt is None or rt.closed:
        return
    with _print_lock:
        lines = rt.take_prints()
        if lines:
            try:
                out = sys.stdout
                out.write("".join(f"[device {core}] {text}\n" for core, text in lines))
                out.flush()
            finally:
                # A blocking call's result waits for its lines: they are out.
                rt.printed()


def close():
    """Close the device: prints still pending are written, running launches
    are cancelled, the cores halted. The next use opens it again."""
    global _runtime, _printer
    with _lock:
        rt, _runtime = _runtime, None
        printer, _printer = _printer, None
        data_slots.clear()
        data_lost.clear()
        _resets_seen.clear()
    _printer_stop.set()
    if printer is not None and printer is not threading.current_thread():
        printer.join(timeout=2)
    if rt is not None and not rt.closed:
        try:
            flush_prints(rt)
        finally:
            rt.close()


atexit.register(close)
