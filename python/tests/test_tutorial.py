"""The tutorial's snippets, in Python 3, as its text says they behave."""

import math

import pytest

from epython import offload, offload_multiple, offload_single, waitAll


@offload
def helloworld(a, b):
    print("Hello World")
    return a + b


def device_lines(out):
    return [line for line in out.splitlines() if line.startswith("[device ")]


def test_hello_world_blocking_on_all_16_cores(capsys):
    assert helloworld(10, 20) == [30] * 16
    lines = device_lines(capsys.readouterr().out)
    assert sorted(lines) == sorted(f"[device {k}] Hello World" for k in range(16))


def test_async_returns_a_handle_whose_wait_gives_the_list(capsys):
    @offload(async_=True)
    def hello_async(a, b):
        print("Hello World")
        return a + b

    handle = hello_async(10, 20)
    assert not isinstance(handle, list)
    assert handle.wait() == [30] * 16
    assert len(device_lines(capsys.readouterr().out)) == 16


def test_the_tutorials_async_spelling_is_accepted():
    @offload(**{"async": True})
    def spelled(a, b):
        return a * b

    h = spelled(6, 7)
    assert h.wait() == [42] * 16
    assert helloworld(1, 2, **{"async": True}).wait() == [3] * 16


def test_auto_runs_on_four_cores(capsys):
    @offload(auto=4)
    def hello_auto(a, b):
        print("Hello World")
        return a + b

    assert hello_auto(10, 20) == [30] * 4
    assert len(device_lines(capsys.readouterr().out)) == 4


def test_call_time_target_and_async_override_the_decorator(capsys):
    h = helloworld(10, 20, target=[9, 10], async_=True)
    assert h.wait() == [30, 30]
    assert h.cores == [9, 10]
    lines = device_lines(capsys.readouterr().out)
    assert sorted(lines) == ["[device 10] Hello World", "[device 9] Hello World"]
    # The decorator's own behaviour is unchanged for the next call.
    assert helloworld(1, 1) == [2] * 16


def test_offload_multiple_and_single_with_waitAll():
    @offload_multiple(cores=8)
    def adder(a, b):
        return a + b

    @offload_single
    def subtractor(a, b):
        return a - b

    h1 = adder(10, 20)
    h2 = subtractor(10, 20)
    assert waitAll(h1, h2) == [[30] * 8, [-10]]
    assert len(set(h1.cores)) == 8 and len(h2.cores) == 1


@offload
def findPI(darts, rounds):
    from random import random
    from math import pow
    mypi = 0.0
    i = 1
    while i <= rounds:
        score = 0.0
        j = 1
        while j <= darts:
            x = random()
            y = random()
            if pow(x, 2) + pow(y, 2) < 1.0:
                score += 1
            j += 1
        mypi = mypi + 4.0 * (score / darts)
        i += 1
    return mypi


def test_find_pi_on_16_cores_each_drawing_its_own_darts():
    values = findPI(1000, 10)
    assert len(values) == 16
    assert abs(sum(values) / 160 - math.pi) < 0.05
    assert len(set(values)) > 1, "every core drew the same random numbers"


def test_find_pi_undecorated_in_cpython_agrees():
    # The same function, run by CPython (its own random numbers).
    host = findPI.__wrapped__(1000, 10)
    assert abs(host / 10 - math.pi) < 0.2


def test_wait_all_takes_a_list_too():
    hs = [helloworld(i, i, target=[i], async_=True) for i in range(4)]
    assert waitAll(hs) == [[0], [2], [4], [6]]


@pytest.mark.parametrize("bad", [{"cores": 0}, {}])
def test_offload_multiple_needs_a_positive_cores(bad):
    with pytest.raises((TypeError, ValueError)):
        offload_multiple(**bad)(lambda a: a)
