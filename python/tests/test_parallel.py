"""The parallel module inside offloaded kernels (design.md section 8):
absolute core ids, the launch group, collectives over it, and a deadlock
raised as a DeviceError."""

import os
import time

import pytest

from epython import DeviceError, offload


def test_a_kernel_on_cores_9_and_10_sees_its_group():
    @offload(target=[9, 10])
    def group(x):
        from parallel import coreid, numcores, reduce, bcast, sendrecv
        me = coreid()
        return [me, numcores(), reduce(me, "sum"), reduce(me * x, "max"), bcast(me * x, 9), sendrecv(me, 19 - me)]

    assert group(2) == [[9, 2, 19, 20, 18, 10], [10, 2, 19, 20, 18, 9]]


def test_reduce_over_all_cores_and_a_token_ring():
    @offload
    def ring(laps):
        from parallel import coreid, numcores, send, recv, reduce
        me, n = coreid(), numcores()
        token = 0
        for lap in range(laps):
            if me == 0:
                send(token + 1, 1)
                token = recv(n - 1)
            else:
                token = recv(me - 1)
                send(token + 1, (me + 1) % n)
        return [reduce(me, "sum"), token]

    got = ring(10)
    assert [r[0] for r in got] == [120] * 16
    assert got[0][1] == 160


def test_two_cores_waiting_on_each_other_raise_a_deadlock_error():
    @offload(target=[2, 3])
    def stuck():
        from parallel import coreid, recv
        if coreid() == 2:
            return recv(3)
        return recv(2)

    t = time.monotonic()
    with pytest.raises(DeviceError) as info:
        stuck()
    print(f"deadlock raised {time.monotonic() - t:.3f} s after the call")
    e = info.value
    assert e.type_name == "Deadlock"
    assert e.core in (2, 3)
    assert "core 2 in recv(3)" in str(e) and "core 3 in recv(2)" in str(e)

    # The cores were stopped cooperatively and run the next kernel.
    @offload(target=[2, 3])
    def fine():
        from parallel import reduce
        return reduce(1, "sum")

    assert fine() == [2, 2]


def _device_lines(out):
    """[(core, epoch, k)] of `[device C] eE cC kK` lines, in output order."""
    lines = []
    for line in out.splitlines():
        if not line.startswith("[device "):
            continue
        head, text = line.split("] ", 1)
        e, c, k = text.split(" ")
        assert head == f"[device {c[1:]}", line
        lines.append((int(c[1:]), int(e[1:]), int(k[1:])))
    return lines


def _check_barrier_order(lines, cores, expected):
    """No line of an earlier epoch after one of a later epoch; each core's
    lines as it printed them."""
    last = 0
    for core, e, k in lines:
        assert e >= last, f"core {core}'s line of epoch {e} came after a line of epoch {last}: {lines}"
        last = e
    for core in cores:
        assert [(e, k) for c, e, k in lines if c == core] == expected(core), f"core {core}: {lines}"


def _barrier_kernel():
    # Each line: the barriers its core has passed, the core, a number.
    # The bcast root runs ahead of the others.
    @offload(async_=True)
    def barriers(seed, root):
        from parallel import coreid, sync, bcast, reduce
        me = coreid()

        def say(e, k):
            print("e" + str(e), "c" + str(me), "k" + str(k))

        x = 0
        for i in range((me * 7 + seed) % 16 * 40):
            x += i
        for k in range(me % 3 + 1):
            say(0, k)
        sync()
        for k in range((me + seed) % 3):
            say(1, k)
        v = bcast(me * 10, root)
        if me == root:
            for k in range(6):
                say(2, k)
        else:
            say(2, v)
        say(3, reduce(1, "sum"))

    return barriers


def _expected(seed, group, root):
    def lines(me):
        out = [(0, k) for k in range(me % 3 + 1)]
        out += [(1, k) for k in range((me + seed) % 3)]
        out += [(2, k) for k in range(6)] if me == root else [(2, root * 10)]
        out.append((3, len(group)))
        return out

    return lines


def test_prints_before_a_barrier_come_out_before_prints_after_it(capsys):
    barriers = _barrier_kernel()
    runs = 2 if os.environ.get("EPYTHON_DEVICE") == "sim:isa" else 10
    cores = list(range(16))
    for seed in range(runs):
        barriers(seed, 5, target=cores).wait(timeout=120)
        _check_barrier_order(_device_lines(capsys.readouterr().out), cores, _expected(seed, cores, 5))


def test_two_launch_groups_at_once_each_keep_their_barrier_order(capsys):
    # offload_multiple-style: two asynchronous launches on 8 cores each run
    # at the same time; each group's barriers order its own lines only.
    barriers = _barrier_kernel()
    runs = 1 if os.environ.get("EPYTHON_DEVICE") == "sim:isa" else 5
    groups = [list(range(8)), list(range(8, 16))]
    for seed in range(runs):
        handles = [barriers(seed, g[1], target=g) for g in groups]
        for h in handles:
            h.wait(timeout=120)
        lines = _device_lines(capsys.readouterr().out)
        for g in groups:
            _check_barrier_order([line for line in lines if line[0] in g], g, _expected(seed, g, g[1]))
