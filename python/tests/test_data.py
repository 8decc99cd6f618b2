"""Device-resident data (design.md section 5; the tutorial after offload):
define_on_device, copy_to_device, copy_from_device."""

import pytest

from epython import (DeviceError, copy_from_device, copy_to_device, define_on_device, offload,
                     waitAll)


def test_kernels_mutate_a_device_list_and_copy_from_device_reads_each_core():
    a = [0] * 10
    define_on_device(a)

    @offload
    def updateA(i):
        from parallel import coreid
        a[i] = i * coreid()

    for i in range(10):
        updateA(i)
    got = copy_from_device("a")
    assert got == [[i * k for i in range(10)] for k in range(16)]
    assert a == [0] * 10, "the host's list is the host's"


def test_scalars_rebind_with_global_and_copy_to_some_cores():
    define_on_device("s", 23)

    @offload
    def lower():
        global s
        s = s - 4

    @offload(target=[2])
    def read():
        return s

    assert read() == [23]
    lower()
    assert copy_from_device("s") == [19] * 16
    copy_to_device("s", 99, target=[1, 5, 9])
    assert copy_from_device("s") == [99 if k in (1, 5, 9) else 19 for k in range(16)]
    assert copy_from_device("s", target=[9, 10]) == [99, 19]


def test_a_device_variable_stored_through_global_without_a_read_is_kept():
    define_on_device("stored", 3)
    define_on_device("stored_list", [1, 2, 3])
    define_on_device("bumped", 10)

    @offload(target=[1, 7])
    def set_it():
        global stored
        stored = 7

    @offload(target=[7])
    def rebind_list():
        global stored_list
        stored_list = [9, 9, 9]

    @offload(target=[1])
    def bump():
        global bumped
        bumped += 1

    set_it()
    rebind_list()
    bump()
    bump()
    assert copy_from_device("stored", target=[0, 1, 7]) == [3, 7, 7]
    assert copy_from_device("stored_list", target=[1, 7]) == [[1, 2, 3], [9, 9, 9]]
    assert copy_from_device("bumped", target=[0, 1]) == [10, 12]


def test_a_device_variable_gone_after_close_is_a_name_error_at_its_line():
    import epython
    define_on_device("gone_after_close", 1)

    @offload(target=[0])
    def uses_it():
        x = 1
        return gone_after_close + x  # noqa: F821

    assert uses_it() == [2]
    epython.close()
    with pytest.raises(NameError) as e:
        uses_it()
    import inspect
    src, first = inspect.getsourcelines(uses_it.__wrapped__)
    line = first + next(i for i, text in enumerate(src) if "gone_after_close +" in text)
    assert f"{__file__}:{line}): 'gone_after_close' is not defined on the device" in str(e.value)


def test_copy_to_device_refuses_a_float_beyond_single_precision_and_changes_nothing():
    copy_to_device("far", 1.5, target=[3])
    with pytest.raises(OverflowError, match=r"copy_to_device\('far'\) value: 1.5e\+300 is out of range"):
        copy_to_device("far", 1.5e300, target=[3])
    # In parts (more than CHUNK items), the bad item in the last part: no part goes.
    with pytest.raises(OverflowError, match=r"copy_to_device\('far'\) value: -1e\+39 is out of range"):
        copy_to_device("far", [0.5] * 5000 + [-1e39], target=[3])
    assert copy_from_device("far", target=[3]) == [1.5]
    copy_to_device("far", [float("inf"), float("-inf")], target=[3])
    assert copy_from_device("far", target=[3]) == [[float("inf"), float("-inf")]]


def test_a_kernel_global_that_is_nowhere_else_stays_on_the_core():
    @offload(target=[2])
    def make():
        global only_here
        only_here = 5
        return only_here + 1

    assert make() == [6]


def test_augmented_assignment_to_a_host_global_reads_its_value():
    @offload(target=[2])
    def bump_host():
        global HOST_COUNT
        HOST_COUNT += 1

    assert bump_host() == [None]   # a NameError on the core if not copied
    assert HOST_COUNT == 41, "the host's global is the host's"


HOST_COUNT = 41


def test_async_copies_return_handles_that_chain_with_kernels():
    define_on_device("counter", 0)

    @offload(async_=True, target=[4])
    def step(k):
        global counter
        counter = counter * 10 + k

    h1 = copy_to_device("counter", 1, target=[4], async_=True)
    h2 = step(2)
    h3 = step(3)
    h4 = copy_from_device("counter", target=[4], async_=True)
    assert waitAll(h1, h2, h3, h4) == [[None], [None], [None], [123]]


@pytest.mark.parametrize("values", [
    list(range(10000)),
    [x * 0.25 for x in range(10000)],
    [f"w{i}" for i in range(3000)],
])
def test_big_arrays_round_trip_exactly(values):
    copy_to_device("big", values, target=[3, 12])
    assert copy_from_device("big", target=[3, 12]) == [values, values]

    @offload(target=[12])
    def total():
        return len(big)

    assert total() == [len(values)]


def test_mutations_before_an_exception_are_kept_as_in_python():
    define_on_device("log", [])

    @offload(target=[6])
    def add_then_fail(x):
        log.append(x)
        return 1 // 0

    with pytest.raises(DeviceError) as e:
        add_then_fail(7)
    assert e.value.type_name == "ZeroDivisionError"
    assert copy_from_device("log", target=[6]) == [[7]]


def test_errors_name_the_variable():
    with pytest.raises(NameError, match="'nowhere' is not defined on the device"):
        copy_from_device("nowhere")
    with pytest.raises(TypeError, match="identifier"):
        copy_to_device("not a name", 1)
    x = y = 5  # noqa: F841
    # The name written in the call decides, though y holds the same object.
    define_on_device(x)
    assert set(copy_from_device("x")) == {5}
    # An expression names no variable, and two hold its value.
    with pytest.raises(TypeError, match="cannot tell the variable's name"):
        define_on_device(x + 0)
    with pytest.raises(TypeError, match="cannot be sent"):
        copy_to_device("bad", {1: 2})


def test_a_device_list_made_to_contain_itself_is_refused_and_keeps_its_old_value(capsys):
    define_on_device("loop", [1])

    @offload(target=[5])
    def close_loop():
        loop.append(loop)
        print(loop)

    with pytest.raises(DeviceError) as e:
        close_loop()
    assert e.value.type_name == "ValueError"
    assert "contains itself" in str(e.value)
    assert "[device 5] [1, [...]]" in capsys.readouterr().out, "it prints as in CPython"
    assert copy_from_device("loop", target=[5]) == [[1]]
