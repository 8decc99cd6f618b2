"""A Python host killed with SIGKILL in the middle of a run (issue 8): the
simulator serves a file in its own process (`epython sim serve FILE`), a
Python child process runs an endless kernel on it and is killed; the next
Python process opens the device (the flock died with the child), resets the
cores and runs kernels on every core cleanly."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def epython_bin():
    given = os.environ.get("EPYTHON_BIN")
    if given:
        return given
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return str(target / "debug" / "epython")


CHILD = """
import sys
from epython import offload

@offload(async_=True)
def endless():
    i = 0
    while True:
        i += 1

h = endless()
while h.cores == []:
    pass
print("running", flush=True)
h.wait()
"""

NEXT = """
from epython import offload

@offload
def twice(x):
    from parallel import coreid
    return x * 2 + coreid()

print(twice(21) == [42 + c for c in range(16)])
"""


#: shared_protocol::sim: the info page's SERVER_STATE word, and Running.
SERVER_STATE_OFFSET = 0x20
SERVER_RUNNING = 1


def server_state(path):
    try:
        with open(path, "rb") as f:
            f.seek(SERVER_STATE_OFFSET)
            return int.from_bytes(f.read(4), "little")
    except FileNotFoundError:
        return None


def python(script, path, **kw):
    env = dict(os.environ, EPYTHON_DEVICE=str(path))
    return subprocess.Popen([sys.executable, str(script)], env=env, **kw)


def start_server(path):
    """`epython sim serve PATH` in a child process, once its cores run."""
    exe = epython_bin()
    if not os.path.exists(exe):
        pytest.skip(f"no epython binary at {exe} (cargo build -p cli, or set EPYTHON_BIN)")
    server = subprocess.Popen([exe, "sim", "serve", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while server_state(path) != SERVER_RUNNING:
        if server.poll() is not None or time.monotonic() >= deadline:
            server.kill()
            server.wait()
            pytest.fail(f"the simulator did not start: {server.stderr.read().decode()}")
        time.sleep(0.05)
    return server


def shm_path(tmp_path, tag):
    shm = Path("/dev/shm") if Path("/dev/shm").is_dir() else tmp_path
    return shm / f"epython-pytest-{tag}-{os.getpid()}"


def test_a_python_host_killed_mid_run_leaves_a_device_the_next_process_uses(tmp_path):
    child_py, next_py = tmp_path / "child.py", tmp_path / "next.py"
    child_py.write_text(CHILD)
    next_py.write_text(NEXT)
    path = shm_path(tmp_path, "killed")
    server = start_server(path)
    try:
        for _ in range(2):
            child = python(child_py, path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            try:
                line = child.stdout.readline().decode().strip()
                assert line == "running", child.stderr.read().decode()
                # While it lives, a second process finds the device busy.
                busy = python(next_py, path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                out, err = busy.communicate(timeout=60)
                assert busy.returncode != 0 and b"in use by another process" in err, err.decode()
                child.send_signal(signal.SIGKILL)
                assert child.wait(timeout=30) == -signal.SIGKILL
            finally:
                if child.poll() is None:
                    child.kill()
                    child.wait()
            nxt = python(next_py, path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            out, err = nxt.communicate(timeout=120)
            assert nxt.returncode == 0, err.decode()
            assert out.decode().strip() == "True"
    finally:
        server.kill()
        server.wait()
        try:
            path.unlink()
        except FileNotFoundError:
            pass


AFTER_SERVER = """
import sys
from epython import offload, DeviceError

@offload(target=[1])
def plus_one(x):
    return x + 1

print(plus_one(1), flush=True)
sys.stdin.readline()            # the test stops the server meanwhile
try:
    plus_one(2)
except DeviceError as e:
    print("DeviceError:", e, flush=True)
"""


@pytest.mark.parametrize("sig, says", [(signal.SIGTERM, "has stopped"), (signal.SIGKILL, "is gone")])
def test_a_python_host_whose_server_stops_gets_an_error_saying_how_to_restart_it(tmp_path, sig, says):
    script = tmp_path / "client.py"
    script.write_text(AFTER_SERVER)
    path = shm_path(tmp_path, f"stops-{sig}")
    server = start_server(path)
    try:
        client = python(script, path, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert client.stdout.readline().strip() == "[2]"
            server.send_signal(sig)
            server.wait(timeout=30)
            if sig == signal.SIGTERM:
                assert not path.exists(), "sim serve left the file it created"
            out, err = client.communicate("go\n", timeout=30)
        finally:
            if client.poll() is None:
                client.kill()
                client.wait()
        assert client.returncode == 0, err
        assert out.startswith("DeviceError:") and says in out, out
        assert f"restart it with `epython sim serve {path}`" in out, out
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        try:
            path.unlink()
        except FileNotFoundError:
            pass
