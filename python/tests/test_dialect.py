"""Kernels in ePython's dialect: ``@offload(dialect="epython")``, the
marker line of the kernel's file, and host names matched whatever their
case (the dialect's names are case-insensitive)."""

import importlib.util
import pathlib
import subprocess
import sys
import textwrap

import pytest

from epython import copy_from_device, define_on_device, offload


def test_the_decorator_option_compiles_the_kernel_in_the_dialect():
    @offload(dialect="epython", target=[3])
    def Arith(N):
        from parallel import coreid
        return [N / 2, -N % 3, 2 ^ 10, "n=" + N, N / 2.0, coreid()]

    assert Arith(7) == [[3, -1, 1024, "n=7", 3.5, 3]]
    assert Arith.kernel.dialect == "epython"

    @offload(target=[3])
    def arith(n):
        return [n / 2, -n % 3, 2 ^ 10]

    assert arith(7) == [[3.5, 2, 8]]
    assert arith.kernel.dialect == "python3"


def test_host_globals_and_device_data_match_whatever_their_case():
    global LIMIT
    LIMIT = 10
    define_on_device("myData", [1, 2, 3])

    @offload(dialect="epython", target=[0, 1])
    def Grow(k):
        MyData.Append(limit + K)
        return LEN(mydata)

    assert Grow(5) == [4, 4]
    assert Grow(6) == [5, 5]
    assert copy_from_device("myData", target=[0]) == [[1, 2, 3, 15, 16]]


def test_the_dialect_is_an_option_of_the_decorator_only():
    with pytest.raises(ValueError, match="dialect='ePython'"):
        @offload(dialect="ePython")
        def k():
            return 1

    @offload(dialect="epython", target=[0])
    def k2():
        return 1

    with pytest.raises(TypeError, match=r"dialect= is an option of @offload\(...\), not of a call"):
        k2(dialect="python3")

    @offload(target=[0])
    def k3(dialect):
        return dialect + 1

    assert k3(dialect=1) == [2], "a parameter of that name is the kernel's"


def test_source_and_the_files_marker_line_choose_it_too(tmp_path):
    @offload(source="# epython: dialect=epython\ndef half(x):\n    return X / 2\n", target=[0])
    def half(x):
        pass

    assert half(9) == [4]
    assert half.kernel.dialect == "epython"

    module = tmp_path / "marked_kernels.py"
    module.write_text(textwrap.dedent("""\
        # epython: dialect=epython
        from epython import offload

        @offload(target=[0])
        def Power(b):
            return B ^ 3

        @offload(target=[0], dialect="python3")
        def xor(b):
            return b ^ 3
        """))
    spec = importlib.util.spec_from_file_location("marked_kernels", module)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.Power(2) == [8]
    assert mod.xor(2) == [1]

    bad = tmp_path / "bad_marker.py"
    bad.write_text("# epython: dialect=epyton\nfrom epython import offload\n\n@offload\ndef f():\n    return 1\n")
    spec = importlib.util.spec_from_file_location("bad_marker", bad)
    with pytest.raises(SyntaxError, match="unknown dialect 'epyton'"):
        spec.loader.exec_module(importlib.util.module_from_spec(spec))


def test_define_on_device_takes_the_name_written_in_the_call():
    # ePython's programs declare several device variables that all hold
    # None, then define_on_device(each): the name is the one written.
    first = None
    second = None
    define_on_device(first)
    define_on_device(second)
    assert copy_from_device("first") == [None] * len(copy_from_device("first"))
    assert len(copy_from_device("second")) > 0


def sequential_sweeps(rod, cores):
    """The example's relaxation on the host, in one piece of `rod` cells
    split as the cores split it: the sweeps until the residual falls below
    1e-4 of its start. The residual is the example's: a core computes it
    after its sweep, with the halo cells its neighbours sent before it."""
    per = rod // cores
    cells = [1.0] + [0.0] * rod + [10.0]
    halo = cells[:]

    def seen(i, j):
        same_piece = (i - 1) // per == (j - 1) // per or j in (0, rod + 1)
        return cells[j] if same_piece else halo[j]

    def residual():
        return sum((2 * cells[i] - seen(i, i - 1) - seen(i, i + 1)) ** 2 for i in range(1, rod + 1)) ** 0.5

    start, sweeps, ratio = residual(), 0, 1.0
    while ratio > 1e-4:
        halo = cells[:]
        cells = cells[:1] + [0.5 * (cells[i - 1] + cells[i + 1]) for i in range(1, rod + 1)] + cells[-1:]
        ratio = residual() / start
        sweeps += 1
    return sweeps


def test_the_epython_style_offload_example_converges_as_the_sequential_relaxation():
    example = pathlib.Path(__file__).resolve().parents[2] / "examples" / "offload" / "epython_dialect.py"
    run = subprocess.run([sys.executable, str(example)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    words = run.stdout.split()
    assert words[:2] == ["converged", "after"], run.stdout
    sweeps = int(words[2])
    # The cores compute in single precision, the host here in double: the
    # counts agree to within 1% (7,718 and 7,706 sweeps when written).
    expected = sequential_sweeps(96, 16)
    assert abs(sweeps - expected) <= expected // 100, (sweeps, expected)
