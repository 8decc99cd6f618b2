"""The parallel module inside offloaded kernels (design.md section 8):
absolute core ids, the launch group, collectives over it, and a deadlock
raised as a DeviceError."""

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
