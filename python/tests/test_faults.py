"""Faulted cores (issue 8): a firmware panic and a VM fault, forced on one
core through the simulator's test hook (Runtime._force_fault), raise a
DeviceError with type_name "CoreFault", the core and the firmware's code;
the core is reloaded and the next launch on it works; device data it held
is lost there (DataLost) and intact on the other cores."""

import pytest

from epython import DeviceError, copy_from_device, copy_to_device, define_on_device, offload
from epython._runtime import runtime


@offload(async_=True)
def spin(n):
    from parallel import coreid
    if coreid() == n:
        while True:
            pass
    return coreid()


@offload
def add(a, b):
    return a + b


@offload
def read_fdata():
    return fdata  # noqa: F821 - a device variable


def fault_core(core, kind):
    """spin(core) on [core, core + 1]; once the other core has returned,
    force the fault on `core`; the DeviceError wait() raises."""
    h = spin(core, target=[core, core + 1])
    assert h.wait_any(timeout=30) == (core + 1, core + 1)
    runtime()._force_fault(core, kind)
    with pytest.raises(DeviceError) as info:
        h.wait(timeout=30)
    return info.value


@pytest.mark.parametrize("kind, code, what", [("panic", 1, "firmware panic"), ("vm", 4, "VM internal error")])
def test_a_forced_fault_is_a_core_fault_and_the_core_is_reloaded(kind, code, what):
    e = fault_core(3, kind)
    assert e.type_name == "CoreFault"
    assert e.core == 3
    assert e.kernel == "spin"
    assert f"(code {code}," in str(e) and what in str(e)
    assert "core 3" in str(e) and "reloaded" in str(e)
    assert e.results == [None, 4]
    # The core runs the next launch.
    assert add(2, 3, target=3) == [5]
    assert add(1, 1, target=[3, 4]) == [2, 2]


def test_device_data_on_a_faulted_core_is_lost_there_and_intact_elsewhere():
    define_on_device("fdata", [1, 2, 3])
    assert read_fdata(target=[5, 6]) == [[1, 2, 3], [1, 2, 3]]
    e = fault_core(5, "panic")
    assert e.type_name == "CoreFault" and e.core == 5
    # Core 5 lost it: any launch that binds it there says so...
    with pytest.raises(DeviceError) as info:
        read_fdata()
    assert info.value.type_name == "DataLost"
    assert info.value.core == 5
    assert "'fdata' was lost on core 5" in str(info.value)
    with pytest.raises(DeviceError, match="DataLost"):
        copy_from_device("fdata", target=[4, 5])
    # ...while the other cores keep theirs, and launches elsewhere run.
    others = [c for c in range(16) if c != 5]
    assert read_fdata(target=others) == [[1, 2, 3]] * 15
    assert copy_from_device("fdata", target=6) == [[1, 2, 3]]
    # Setting it again on core 5 makes it whole.
    copy_to_device("fdata", [7], target=5)
    assert read_fdata() == [[1, 2, 3]] * 5 + [[7]] + [[1, 2, 3]] * 10


def test_forcing_a_fault_on_a_core_not_on_the_chip_is_refused():
    with pytest.raises(RuntimeError, match="core 16 is not on the simulated chip"):
        runtime()._force_fault(16, "panic")
    with pytest.raises(ValueError, match="unknown fault kind"):
        runtime()._force_fault(1, "bogus")


def test_data_is_reported_lost_after_a_fault_in_a_launch_nobody_waited_for():
    import time
    define_on_device("fdata2", 5)
    h = spin(7, target=[7])
    deadline = time.monotonic() + 30
    while 7 not in runtime().busy_cores():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    resets = runtime().reset_counts()
    runtime()._force_fault(7, "vm")
    del h   # nobody collects its outcome: the scheduler still reloads the core
    while runtime().reset_counts()[7] == resets[7]:
        assert time.monotonic() < deadline, "core 7 was not reloaded"
        time.sleep(0.01)

    @offload
    def read_fdata2():
        return fdata2  # noqa: F821 - a device variable

    with pytest.raises(DeviceError) as info:
        read_fdata2(target=[6, 7])
    assert info.value.type_name == "DataLost" and info.value.core == 7
    assert read_fdata2(target=[6, 8]) == [5, 5]
