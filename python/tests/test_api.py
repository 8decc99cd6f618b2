"""The offload API beyond the tutorial: options, handles, the scheduler,
errors, values, Ctrl-C and asyncio (design.md sections 5 and 8)."""

import array
import asyncio
import math
import os
import signal
import sys
import threading
import time
import _thread

import pytest

import epython
from epython import CancelledError, DeviceError, offload, offload_single, waitAll
from epython._runtime import runtime

THIS_FILE = __file__

# --- the same answers as CPython ------------------------------------------

def poly(x, n):
    total = 0.0
    for k in range(n):
        total = total + x ** k / (k + 1)
    return total


def words(text):
    out = []
    for w in text.split(" "):
        if len(w) > 2:
            out.append(w.upper()[::-1])
    return sorted(out), len(out), " ".join(out)


def stats(xs):
    lo, hi = min(xs), max(xs)
    mean = sum(xs) / len(xs)
    squares = [(x - mean) ** 2 for x in xs]
    return [lo, hi, round(mean, 3), round(math.sqrt(sum(squares) / len(xs)), 3)]


def matmul(a, b):
    n, m, p = len(a), len(b), len(b[0])
    return [[sum([a[i][k] * b[k][j] for k in range(m)]) for j in range(p)] for i in range(n)]


def collatz(limit):
    best, arg = 0, 0
    for start in range(1, limit):
        n, steps = start, 0
        while n != 1:
            n = n // 2 if n % 2 == 0 else 3 * n + 1
            steps += 1
        if steps > best:
            best, arg = steps, start
    return arg, best


def smooth(xs, width):
    # Closures over the kernel's arguments and a nonlocal accumulator.
    def window(i):
        lo, hi = max(0, i - width), min(len(xs), i + width + 1)
        return sum(xs[lo:hi]) / (hi - lo)
    calls = 0
    def counted(i):
        nonlocal calls
        calls += 1
        return window(i)
    return [counted(i) for i in range(len(xs))], calls


def close_enough(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-6)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(close_enough(x, y) for x, y in zip(a, b))
    return a == b


@pytest.mark.parametrize("func,args", [
    (poly, (0.5, 12)),
    (words, ("the quick brown fox jumps over a lazy dog",)),
    (stats, ([3.5, 1.25, 9.0, 4.75, 2.0],)),
    (matmul, ([[1, 2], [3, 4], [5, 6]], [[7, 8, 9], [10, 11, 12]])),
    (collatz, (200,)),
    (smooth, ([1.0, 4.0, 2.0, 8.0, 5.0, 7.0], 1)),
])
def test_kernels_give_what_cpython_gives_undecorated(func, args):
    kernel = offload(target=[0, 7])(func)
    on_cores = kernel(*args)
    expected = func(*args)
    assert len(on_cores) == 2
    for got in on_cores:
        assert close_enough(got, expected), (got, expected)


# --- options ----------------------------------------------------------------

def test_option_conflicts_and_bad_cores_are_errors():
    with pytest.raises(TypeError, match="auto or target"):
        offload(auto=2, target=[1])(poly)
    with pytest.raises(ValueError, match="core 3 more than once"):
        offload(target=[3, 4, 3])(poly)
    with pytest.raises(TypeError, match="unexpected option 'cores'"):
        offload(cores=3)(poly)
    k = offload(poly)
    with pytest.raises(ValueError, match="core 16 is not on this device"):
        k(1.0, 2, target=[16])
    with pytest.raises(ValueError, match="auto=17"):
        k(1.0, 2, auto=17)
    with pytest.raises(TypeError, match="auto or target"):
        k(1.0, 2, auto=2, target=[1])
    with pytest.raises(TypeError, match="target must be"):
        k(1.0, 2, target="3")
    # A call's target replaces the decorator's auto.
    assert len(offload(auto=3)(poly)(1.0, 2, target=5)) == 1


def test_option_names_are_reserved_as_parameters():
    def bad(a, target):
        return a

    with pytest.raises(TypeError, match="parameter named 'target'"):
        offload(bad)


def test_keyword_arguments_and_defaults_bind_as_in_python():
    def scaled(x, factor=2, offset=0.5):
        return x * factor + offset

    k = offload(target=[1])(scaled)
    assert k(3) == [6.5]
    assert k(3, offset=1) == [7]
    assert k(x=1, factor=10) == [10.5]
    with pytest.raises(TypeError):
        k()  # missing x, as CPython says


def two_and_a_keyword(a,
                      b, c=1):
    return a + b + c


@pytest.mark.parametrize("args, kwargs, line_of_text", [
    ((1,), {}, "b, c=1"),                     # missing 'b': b's line
    ((1,), {"d": 3}, "def two_and"),          # CPython names d first, not the missing b
    ((1, 2, 3, 4), {}, "def two_and"),        # too many positional arguments
    ((1, 2), {"a": 1}, "def two_and"),        # multiple values for 'a'
])
def test_argument_errors_are_cpythons_with_the_kernel_name_and_line(args, kwargs, line_of_text):
    with pytest.raises(TypeError) as cpython:
        two_and_a_keyword(*args, **kwargs)
    k = offload(target=[0])(two_and_a_keyword)
    with pytest.raises(TypeError) as e:
        k(*args, **kwargs)
    line = line_of(two_and_a_keyword, line_of_text)
    assert str(e.value) == f"{cpython.value} ({THIS_FILE}:{line})"
    assert str(e.value).startswith("two_and_a_keyword() ")
    assert k(1, 2, c=3) == [6] and k(b=2, a=1) == [4]


# --- the scheduler ------------------------------------------------------------

def trace_of(fn):
    rt = runtime()
    rt.start_trace()
    try:
        fn()
    finally:
        events = rt.take_trace()
    return events


def check_no_core_runs_two(events):
    """Replays start/finish events: no core starts while it runs; returns
    the most launches that ran at once."""
    running_on = {}
    in_flight, most = set(), 0
    for kind, job, cores in events:
        if kind == "start":
            for c in cores:
                assert c not in running_on, f"core {c} started job {job} while running {running_on[c]}"
                running_on[c] = job
            in_flight.add(job)
            most = max(most, len(in_flight))
        else:
            assert running_on.pop(cores) == job
            if job not in running_on.values():
                in_flight.discard(job)
    return most


def slowish(n):
    total = 0
    for i in range(n):
        total += i
    return total


def test_a_call_target_replaces_the_decorators_placement_and_none_keeps_its_auto():
    k = offload(auto=3)(slowish)
    assert k(5, target=[7, 4]) == [10, 10]
    assert k(5, target=6) == [10]
    assert k(5, target=None) == [10, 10, 10]
    assert offload(target=[2])(slowish)(5, auto=2) == [10, 10]
    with pytest.raises(TypeError, match="target core ids must be ints, not bool"):
        k(5, target=[True])
    with pytest.raises(ValueError, match="lists core 4 more than once"):
        k(5, target=(4, 1, 4))


def test_launches_on_one_core_run_in_submission_order():
    k = offload(target=[3], async_=True)(slowish)
    handles = []
    events = trace_of(lambda: handles.extend(k(200 + i) for i in range(5)) or waitAll(*handles))
    ids = [job for kind, job, _ in events if kind == "start"]
    assert ids == sorted(ids) and len(ids) == 5
    finished = [job for kind, job, _ in events if kind == "finish"]
    assert finished == ids
    assert [h.wait() for h in handles] == [[sum(range(200 + i))] for i in range(5)]


def test_a_hundred_single_launches_all_complete_never_two_on_a_core():
    k = offload_single(slowish)
    handles = []

    def launch_all():
        handles.extend(k(300 + i) for i in range(100))
        assert waitAll(*handles) == [[sum(range(300 + i))] for i in range(100)]

    events = trace_of(launch_all)
    assert sum(1 for e in events if e[0] == "start") == 100
    assert check_no_core_runs_two(events) > 1, "no two launches ever ran at once"


def test_auto_launches_queue_behind_a_full_device_and_run_when_cores_free():
    k = offload(async_=True)(slowish)
    everything = k(20000)              # all 16 cores
    small = k(10, auto=2)              # must wait for free cores
    assert small.wait(timeout=60) == [45, 45]
    assert everything.wait(timeout=60) == [sum(range(20000))] * 16


# --- handles: wait_any, test, timeouts, cancel --------------------------------

def endless_on_five(n):
    from parallel import coreid
    if coreid() == 5:
        while True:
            pass
    return coreid() * n


def test_wait_any_test_timeout_and_cancel_with_an_endless_kernel():
    k = offload(async_=True)(endless_on_five)
    h = k(10, target=[5, 6])
    assert h.wait_any(timeout=30) == (6, 60)
    assert h.test() is False
    assert h.test_any() is True
    assert "still running" in repr(h)
    with pytest.raises(TimeoutError):
        h.wait(timeout=0.2)
    assert h.cancel() is True
    with pytest.raises(CancelledError) as e:
        h.wait(timeout=30)
    assert e.value.core == 5 and e.value.results == [None, 60]
    assert h.done()
    # The cancelled core runs the next kernel.
    assert offload(target=[5])(slowish)(10) == [45]


def test_a_queued_launch_can_be_cancelled_before_it_starts():
    blocker = offload(async_=True)(endless_on_five)(1, target=[5])
    queued = offload(async_=True)(slowish)(5, target=[5])
    assert queued.cancel() is True
    assert blocker.cancel() is True
    with pytest.raises(CancelledError):
        queued.wait(timeout=10)
    with pytest.raises(CancelledError):
        blocker.wait(timeout=10)


def test_ctrl_c_during_wait_raises_keyboard_interrupt():
    h = offload(async_=True)(endless_on_five)(1, target=[5])
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        h.wait()
    assert time.monotonic() - started < 10
    h.cancel()
    with pytest.raises(CancelledError):
        h.wait(timeout=10)


def test_await_a_handle_in_asyncio():
    k = offload(async_=True, target=[2, 4])(slowish)

    async def main():
        return await asyncio.gather(k(10), k(20))

    assert asyncio.run(main()) == [[45, 45], [190, 190]]


def test_handles_are_safe_to_wait_from_many_threads():
    h = offload(async_=True)(slowish)(3000)
    results = []
    threads = [threading.Thread(target=lambda: results.append(h.wait(timeout=60))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [[sum(range(3000))] * 16] * 4


def test_a_handle_keeps_its_values_cores_and_state_after_wait():
    h = offload(async_=True, target=[9, 3])(slowish)(10)
    first = h.wait(timeout=60)
    assert first == [45, 45]
    first.append("mine")
    assert h.wait() == [45, 45], "each wait() gives a list of its own"
    assert h.cores == [3, 9]
    assert h.done() and h.test() and h.test_any()
    assert "finished" in repr(h)
    assert [h.wait_any(), h.wait_any()] == [(3, 45), (9, 45)]
    with pytest.raises(ValueError):
        h.wait_any()


# --- errors ---------------------------------------------------------------

def test_a_syntax_error_is_raised_at_decoration_with_the_files_line():
    src = "def broken(a):\n    x = (a +\n    return x\n"

    def broken(a):
        return a

    with pytest.raises(SyntaxError) as e:
        offload(source=src)(broken)
    assert e.value.lineno == 2 and "never closed" in e.value.msg
    with pytest.raises(SyntaxError) as e:
        @offload
        def uses_a_class(a):
            class Point:  # not on the device
                pass
            return a
    assert e.value.filename == THIS_FILE
    assert e.value.lineno == uses_a_class_line() + 1
    assert "'class' is not supported on the device" in str(e.value)


def test_a_nul_byte_in_a_kernel_is_a_syntax_error_without_a_raw_nul():
    def k():
        return 0

    with pytest.raises(SyntaxError) as e:
        offload(source="def k():\n    return 'a\x00b'\n")(k)
    assert e.value.msg == "source code cannot contain null bytes"
    assert e.value.lineno == 2
    assert "\x00" not in str(e.value) and "\x00" not in (e.value.text or "")


def uses_a_class_line():
    import inspect
    src, first = inspect.getsourcelines(test_a_syntax_error_is_raised_at_decoration_with_the_files_line)
    return first + next(i for i, l in enumerate(src) if "def uses_a_class" in l)


def divide_on_three(a):
    from parallel import coreid
    if coreid() == 3:
        return a / 0
    return a


def test_a_zero_division_on_one_core_names_core_kernel_and_line():
    with pytest.raises(DeviceError) as e:
        offload(divide_on_three)(7)
    err = e.value
    assert (err.core, err.kernel, err.type_name) == (3, "divide_on_three", "ZeroDivisionError")
    import inspect
    assert err.line == inspect.getsourcelines(divide_on_three)[1] + 3
    assert err.filename == THIS_FILE
    assert err.results[3] is None and err.results[0] == 7 and len(err.results) == 16
    assert "core 3" in str(err) and "ZeroDivisionError: division by zero" in str(err)
    # The device stays usable.
    assert offload(target=[3])(slowish)(4) == [6]


def test_wait_all_raises_the_first_failure_in_order_and_leaves_the_rest_to_wait():
    single = offload_single(slowish)
    divide = offload(async_=True, target=[3, 4])(divide_on_three)
    handles = [single(10), single(20), divide(7), single(30), divide(8), single(40)]
    with pytest.raises(DeviceError) as e:
        waitAll(handles)
    assert (e.value.core, e.value.kernel, e.value.type_name) == (3, "divide_on_three", "ZeroDivisionError")
    assert e.value.results == [None, 7]
    assert [h.wait() for h in handles[:2]] == [[45], [190]]
    assert handles[3].wait(timeout=60) == [435]
    with pytest.raises(DeviceError):
        handles[4].wait(timeout=60)
    assert waitAll(handles[5]) == [[780]]


def test_wait_all_and_another_thread_waiting_on_the_same_handles():
    single = offload_single(slowish)
    handles = [single(2000 + i) for i in range(64)]
    seen = []
    other = threading.Thread(target=lambda: seen.extend(h.wait(timeout=60) for h in reversed(handles)))
    other.start()
    results = waitAll(handles)
    other.join()
    expected = [[sum(range(2000 + i))] for i in range(64)]
    assert results == expected
    assert seen == expected[::-1]


def test_values_that_cannot_travel_are_type_errors_naming_the_argument():
    k = offload(target=[0])(slowish)
    with pytest.raises(TypeError, match="kernel 'slowish' argument 'n': a 'dict' object cannot be sent"):
        k({"a": 1})
    with pytest.raises(OverflowError, match="argument 'n': 4294967296 does not fit in 32 bits"):
        k(2**32)
    with pytest.raises(TypeError, match="argument 'n'.*nest more than 8"):
        k([[[[[[[[[[1]]]]]]]]]])


def test_a_float_beyond_single_precision_is_an_overflow_error_naming_the_argument():
    k = offload(target=[0])(identity)
    f32_range = "is out of range for a float on the device"
    for big in (1.5e300, -1e39, 2.0**128 - 2.0**103):
        with pytest.raises(OverflowError, match=f"kernel 'identity' argument 'x': .* {f32_range}"):
            k(big)
    with pytest.raises(OverflowError, match=f"argument 'x': 1.5e\\+300 {f32_range}"):
        k([1.0, [2.0, 1.5e300]])
    with pytest.raises(OverflowError, match=f"argument 'x': the buffer holds 1e\\+300, which {f32_range}"):
        k(array.array("d", [1.0, 1e300]))
    # The largest float that rounds to a finite f32, inf and nan pass.
    assert k(2.0**128 - 2.0**104) == [3.4028235e+38]
    assert k(float("-inf")) == [float("-inf")]
    assert math.isnan(k(float("nan"))[0])
    assert k(array.array("d", [float("inf"), 0.5])) == [[float("inf"), 0.5]]


def test_a_host_global_beyond_the_devices_numbers_is_an_overflow_error_naming_it():
    def reads_far_float():
        return FAR_FLOAT

    def reads_far_int():
        return [FAR_INT]

    with pytest.raises(OverflowError, match=f"{THIS_FILE}:{line_of(reads_far_float, 'FAR_FLOAT')}\\): "
                                            f"reads global 'FAR_FLOAT': 1e\\+300 is out of range"):
        offload(target=[0])(reads_far_float)()
    with pytest.raises(OverflowError, match="reads global 'FAR_INT': 8589934592 does not fit in 32 bits"):
        offload(target=[0])(reads_far_int)()


FAR_FLOAT = 1e300
FAR_INT = 2**33


def test_an_unknown_global_is_a_name_error_at_first_launch():
    def reads_unknown(a):
        return a + not_defined_anywhere  # noqa: F821

    k = offload(reads_unknown)   # decorating is fine
    with pytest.raises(NameError, match="kernel 'reads_unknown'.*not_defined_anywhere"):
        k(1)


def line_of(func, text):
    """The file line of the first line of ``func``'s source containing ``text``."""
    import inspect
    src, first = inspect.getsourcelines(func)
    return first + next(i for i, line in enumerate(src) if text in line)


def host_helper():
    return 1


def test_host_side_errors_name_the_line_of_the_offending_name():
    def unknown_far_down(a):
        x = a
        y = x + 1
        return y + far_down_unknown  # noqa: F821

    def calls_a_host_function(a):
        b = a

        return host_helper() + b

    def reads_a_host_module(a):
        b = a
        return sys.maxsize + b

    def reserved(a,
                 b,
                 auto):
        return a

    def takes_kw(a,
                 **kw):
        return a

    with pytest.raises(NameError) as e:
        offload(unknown_far_down)(1)
    assert f"{THIS_FILE}:{line_of(unknown_far_down, 'far_down_unknown')})" in str(e.value)
    with pytest.raises(TypeError) as e:
        offload(calls_a_host_function)(1)
    assert f"{THIS_FILE}:{line_of(calls_a_host_function, 'host_helper()')})" in str(e.value)
    with pytest.raises(TypeError) as e:
        offload(reads_a_host_module)
    assert f"{THIS_FILE}:{line_of(reads_a_host_module, 'sys.maxsize')})" in str(e.value)
    with pytest.raises(TypeError) as e:
        offload(reserved)
    assert f"{THIS_FILE}:{line_of(reserved, 'auto):')})" in str(e.value)
    with pytest.raises(TypeError) as e:
        offload(takes_kw)
    assert f"{THIS_FILE}:{line_of(takes_kw, '**kw')})" in str(e.value)


# --- values -------------------------------------------------------------

def identity(x):
    return x


@pytest.mark.parametrize("value", [
    None, True, False, 0, -2**31, 2**31 - 1, 0.1, -2.5, 1e-05, float("inf"),
    "", "héllo wörld ✓", [1, [2.5, "x"], (3, None)], (1,), ((),), [[], [[]]],
])
def test_values_travel_both_ways(value):
    got = offload(target=[0])(identity)(value)[0]
    assert close_enough(got, value) and type(got) is type(value)


def test_buffers_travel_as_typed_arrays():
    k = offload(target=[1])(identity)
    assert k(array.array("d", [1.5, 2.25]))[0] == [1.5, 2.25]
    assert k(array.array("i", [1, -2, 3]))[0] == [1, -2, 3]
    assert k(b"\x00\x01\xff")[0] == [0, 1, 255]
    assert k(bytearray(b"ab"))[0] == [97, 98]
    assert k(memoryview(array.array("h", [7, 8])))[0] == [7, 8]
    with pytest.raises(OverflowError):
        k(array.array("q", [2**40]))
    np = pytest.importorskip("numpy")
    assert k(np.arange(4, dtype=np.float32))[0] == [0.0, 1.0, 2.0, 3.0]
    assert k(np.arange(6, dtype=np.int64).reshape(2, 3))[0] == [[0, 1, 2], [3, 4, 5]]
    assert k(np.int64(5))[0] == 5


SCALE = 3
OFFSETS = [10, 20, 30]


def test_globals_are_resolved_at_first_launch_and_modules_imported():
    def uses_globals(i):
        return OFFSETS[i] * SCALE + LATE + round(math.sqrt(16))

    k = offload(target=[0, 1])(uses_globals)
    global LATE
    LATE = 1   # defined after decoration, before the first launch
    assert k(2) == [95, 95]


def test_nested_helpers_and_device_modules_inside_the_kernel():
    def nested(n):
        import math as m
        from parallel import coreid, numcores

        def square(v):
            return v * v

        return [square(coreid()), numcores(), m.floor(m.pi * n)]

    assert offload(target=[4, 9])(nested)(10) == [[16, 2, 31], [81, 2, 31]]


def test_source_is_needed_where_python_has_none():
    namespace = {}
    exec("def made(a):\n    return a * 2\n", namespace)
    with pytest.raises(TypeError, match="cannot find the source of kernel 'made'"):
        offload(namespace["made"])
    k = offload(source="def made(a):\n    return a * 2\n")(namespace["made"])
    assert k(21, target=[0]) == [42]


def test_device_info_names_the_simulator():
    info = epython.device_info()
    assert info["cores"] == 16 and info["backend"] == "simulator"
    # An in-process simulator's file is a memfd: name what it is instead.
    if os.environ.get("EPYTHON_DEVICE", "sim") in ("sim", "sim:isa"):
        assert info["device"].startswith("in-process simulated E16"), info
    assert not info["device"].startswith("/proc/self/fd/"), info


def test_prints_of_a_launch_nobody_waits_on_yet_appear_as_they_come(capsys):
    def announce(n):
        print("hello async", n)
        return n

    h = offload(async_=True, target=[1])(announce)(5)
    seen, deadline = "", time.monotonic() + 20
    while "[device 1] hello async 5" not in seen and time.monotonic() < deadline:
        time.sleep(0.02)
        seen += capsys.readouterr().out
    assert "[device 1] hello async 5" in seen
    assert h.wait() == [5]
    assert "hello async" not in capsys.readouterr().out, "printed twice"


def test_a_return_value_too_big_for_the_event_ring_is_a_memory_error():
    def huge(n):
        return [0] * n

    k = offload(target=[8])(huge)
    with pytest.raises(DeviceError) as e:
        k(10000)    # 80 KB encoded: more than the core's 64 KB event ring
    assert (e.value.type_name, e.value.core) == ("MemoryError", 8)
    assert "too big to send" in str(e.value)
    assert k(1000) == [[0] * 1000], "the core goes on (no fault, no reload)"


def sums_util_range(n):
    import util
    return sum(util.range(n))


def test_epythons_modules_run_in_a_kernel_and_their_errors_name_the_module():
    # util's range includes its end: 0 + 1 + 2 + 3.
    assert offload(target=[0])(sums_util_range)(3) == [6]
    with pytest.raises(DeviceError) as e:
        offload(target=[0])(sums_util_range)("three")
    util_py = os.path.join(os.path.dirname(__file__), "..", "..", "compiler", "src", "modules", "util.py")
    with open(util_py) as f:
        line = 1 + next(i for i, text in enumerate(f) if "range(a + 1)" in text)
    assert (e.value.filename, e.value.line, e.value.type_name) == ("util.py", line, "TypeError")
