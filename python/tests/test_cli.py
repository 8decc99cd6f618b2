"""The `epython` command the package installs, and `python -m epython`
(issue 15): the CLI's own code (the cli crate) run from the extension."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("epython")


def run(args, tmp_path, **kw):
    env = dict(os.environ, EPYTHON_DEVICE="sim")
    return subprocess.run(args, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, **kw)


@pytest.fixture
def program(tmp_path):
    path = tmp_path / "prog.py"
    path.write_text("from parallel import coreid\nprint('hi from', coreid())\nx = 1 / (coreid() - 1)\n")
    return path


@pytest.mark.parametrize("command", [[str(SCRIPT)], [sys.executable, "-m", "epython"]], ids=["script", "module"])
def test_the_command_runs_a_program_on_the_cores(command, program, tmp_path):
    if not SCRIPT.exists() and command[0] == str(SCRIPT):
        pytest.skip(f"no {SCRIPT}: the package was not installed with its scripts")
    r = run(command + ["-c", "0,1,2", str(program)], tmp_path)
    assert sorted(l for l in r.stdout.splitlines()) == [f"[device {k}] hi from {k}" for k in range(3)], r.stderr
    assert r.returncode == 1
    assert f"{program}:3: core 1: ZeroDivisionError" in r.stderr


def test_bring_up_help_and_usage_errors(tmp_path):
    r = run([sys.executable, "-m", "epython", "device", "info"], tmp_path)
    assert r.returncode == 0 and "in-process simulated E16" in r.stdout, r.stderr
    r = run([sys.executable, "-m", "epython", "--help"], tmp_path)
    assert r.returncode == 0 and "sim" in r.stdout and "device" in r.stdout
    r = run([sys.executable, "-m", "epython", "--no-such-flag"], tmp_path)
    assert r.returncode == 2 and "--no-such-flag" in r.stderr


def test_ctrl_c_stops_the_command_as_it_stops_the_binary(tmp_path):
    prog = tmp_path / "loop.py"
    prog.write_text("print('started')\nwhile True:\n    pass\n")
    env = dict(os.environ, EPYTHON_DEVICE="sim")
    child = subprocess.Popen([sys.executable, "-m", "epython", "-c", "5", str(prog)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "[device 5] started"
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGINT, err
    assert "stopped by SIGINT on cores 5" in err
