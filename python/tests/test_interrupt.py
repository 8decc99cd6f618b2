"""Ctrl-C (a real SIGINT) while Python waits for a kernel (issue 15): a
blocking call cancels its launch before KeyboardInterrupt propagates, so the
next call on those cores runs at once; ``Handle.wait()`` leaves its launch
running (the caller holds the handle and decides)."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest

PRELUDE = textwrap.dedent("""
    import sys, time
    from epython import offload, CancelledError

    @offload(target=[2, 3])
    def endless():
        print("started")
        i = 0
        while True:
            i += 1

    @offload(target=[2, 3])
    def quick(x):
        return x + 1
""")

BLOCKING = PRELUDE + textwrap.dedent("""
    try:
        endless()
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    t = time.monotonic()
    print("second call", quick(41), round(time.monotonic() - t, 3), flush=True)
""")

HANDLE = PRELUDE + textwrap.dedent("""
    h = endless(async_=True)
    try:
        h.wait()
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    time.sleep(0.3)
    print("still running", not h.done(), h.cores, flush=True)
    h.cancel()
    try:
        h.wait(timeout=10)
    except CancelledError:
        print("cancelled", flush=True)
    print("second call", quick(41), flush=True)
""")


def interrupt(script, tmp_path):
    """Run ``script`` in a child Python, SIGINT it once its kernel printed
    ``started`` on both cores (a line the printer thread writes later could
    land inside the script's own print); its stdout lines."""
    path = tmp_path / "child.py"
    path.write_text(script)
    env = dict(os.environ, EPYTHON_DEVICE=os.environ.get("EPYTHON_DEVICE", "sim"))
    child = subprocess.Popen([sys.executable, str(path)], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        for line in child.stdout:
            lines.append(line.rstrip("\n"))
            if sum(l.endswith("] started") for l in lines) == 2:
                break
        assert lines and lines[-1].endswith("] started"), (lines, child.stderr.read())
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        child.kill()
        out, err = child.communicate()
        pytest.fail(f"the child hung after SIGINT; stdout: {out!r} stderr: {err!r}")
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, err
    return [l for l in lines + out.splitlines() if not l.startswith("[device")], err


def test_ctrl_c_in_a_blocking_call_cancels_its_launch(tmp_path):
    lines, err = interrupt(BLOCKING, tmp_path)
    assert lines[0] == "interrupted", (lines, err)
    words = lines[1].split()
    assert words[:4] == ["second", "call", "[42,", "42]"], lines
    assert float(words[4]) < 1.0, f"the next call on the cores took {words[4]} s"


def test_ctrl_c_in_handle_wait_leaves_the_launch_running(tmp_path):
    lines, err = interrupt(HANDLE, tmp_path)
    assert lines == ["interrupted", "still running True [2, 3]", "cancelled", "second call [42, 42]"], (lines, err)
