"""Host instructions per offload launch, counted by callgrind (a benchmark,
not a test): steadier on a shared machine than times.

    python python/bench/callgrind_launch.py [--launches N] [--python PY] [--keep DIR]

For 1 core (``@offload(target=[0])``) and for all 16 (``@offload``), runs
a child Python under ``valgrind --tool=callgrind`` that opens the
in-process simulator (EPYTHON_DEVICE=sim), warms up, then makes a number of
blocking launches of a trivial kernel (``k(i)``); it does so twice, with N and with 2N launches, and prints
the difference divided by N: the instructions of one launch with start-up,
warm-up and shutdown taken out. Every thread of the process counts: the
Python layer, the loader and its scheduler, and the simulator's core
threads running the firmware (on a board the cores' part is not the
host's). ``--python`` runs another build (e.g. a copy of main's package on
PYTHONPATH: ``--pythonpath DIR``) to compare within one session;
``--call-options`` gives the placement at each call (``k(i,
target=[0])``) instead. ``--keep``
keeps the callgrind files for callgrind_annotate.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

CHILD = r"""
import os, sys
from epython import offload

def trivial(a):
    return a

n = int(sys.argv[1])
if sys.argv[3] == "call":
    # The placement as a call-time option: k(i, target=[0]).
    k, opts = offload(trivial), ({} if sys.argv[2] == "all" else {"target": [int(sys.argv[2])]})
else:
    # The common call: placement in the decorator, arguments by position.
    k, opts = (offload(trivial) if sys.argv[2] == "all" else offload(target=[int(sys.argv[2])])(trivial)), {}
for i in range(20):  # warm-up: first launch resolves globals
    k(i, **opts)
for i in range(n):
    r = k(i, **opts)
    assert r == [i] * len(r), r
"""


def run(python, pythonpath, launches, target, out, call_options=False):
    """Total instructions (Ir) of one child run under callgrind."""
    # A file, not -c: the kernel's source must be readable (inspect).
    child = os.path.join(os.path.dirname(out), "launch_child.py")
    with open(child, "w") as f:
        f.write(CHILD)
    env = dict(os.environ, EPYTHON_DEVICE="sim")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--dump-instr=no",
           python, child, str(launches), target, "call" if call_options else "decorator"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"callgrind run failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    with open(out) as f:
        text = f.read()
    m = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
    if m is None:
        sys.exit(f"no totals in {out}")
    return int(m.group(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--launches", type=int, default=200, help="N (the runs make N and 2N launches)")
    ap.add_argument("--python", default=sys.executable, help="the interpreter to measure")
    ap.add_argument("--pythonpath", default=None, help="PYTHONPATH for the child (another build of epython)")
    ap.add_argument("--keep", default=None, help="keep the callgrind files in this directory")
    ap.add_argument("--cores", default="1,16", help="which launch sizes: 1, 16 or both")
    ap.add_argument("--call-options", action="store_true",
                    help="give the placement at each call (k(i, target=[0])) instead of in the decorator")
    args = ap.parse_args()
    n = args.launches
    print(f"callgrind: instructions per blocking launch of a trivial kernel (difference of {n} and {2 * n} "
          f"launches, all threads of the process{', placement given at each call' if args.call_options else ''}), "
          f"python {args.python}"
          + (f", PYTHONPATH={args.pythonpath}" if args.pythonpath else ""))
    with tempfile.TemporaryDirectory() as tmp:
        for label in args.cores.split(","):
            target = "0" if label.strip() == "1" else "all"
            keep = args.keep or tmp
            os.makedirs(keep, exist_ok=True)
            a = run(args.python, args.pythonpath, n, target, os.path.join(keep, f"callgrind.{label}core.{n}.out"),
                    args.call_options)
            b = run(args.python, args.pythonpath, 2 * n, target, os.path.join(keep, f"callgrind.{label}core.{2 * n}.out"),
                    args.call_options)
            print(f"{label:>3} core(s): {(b - a) / n:12,.0f} instructions per launch"
                  f"   ({a:,} for {n}, {b:,} for {2 * n})", flush=True)


if __name__ == "__main__":
    main()
