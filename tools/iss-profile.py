#!/usr/bin/env python3
"""Names the functions an ISS profile's time went to.

The simulator in ISA mode writes a profile per core when it stops, if
EPYTHON_ISS_PROFILE=DIR is set (DIR/core-N.tsv: instruction address,
instructions, cycles). This sums them per function of the ELF (the
Epiphany firmware, or any program) and prints the top ones by cycles,
with whether each runs from SRAM or DRAM.

Usage: tools/iss-profile.py ELF DIR [TOP]
"""
import bisect
import glob
import os
import subprocess
import sys


def symbols(elf, nm):
    out = subprocess.run([nm, "-n", elf], check=True, capture_output=True, text=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            syms.append((int(parts[0], 16), parts[2]))
    return syms


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    elf, directory = sys.argv[1], sys.argv[2]
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    prefix = os.environ.get("EPIPHANY_PREFIX") or subprocess.run(
        [os.path.join(os.path.dirname(__file__), "epiphany-toolchain.sh"), "--prefix"],
        check=True, capture_output=True, text=True).stdout.strip()
    syms = symbols(elf, os.path.join(prefix, "bin", "epiphany-elf-nm"))
    addrs = [a for a, _ in syms]
    per_fn = {}
    total_n = total_c = 0
    for path in glob.glob(os.path.join(directory, "core-*.tsv")):
        for line in open(path):
            pc, n, cycles = line.split()
            pc, n, cycles = int(pc, 16), int(n), int(cycles)
            i = bisect.bisect_right(addrs, pc) - 1
            name = syms[i][1] if i >= 0 else "?"
            f = per_fn.setdefault(name, [0, 0, pc])
            f[0] += n
            f[1] += cycles
            total_n += n
            total_c += cycles
    if not total_c:
        sys.exit(f"iss-profile: no profile in {directory}")
    print(f"{'cycles':>8} {'instr':>8}  where  function ({total_c} cycles, {total_n} instructions)")
    for name, (n, c, pc) in sorted(per_fn.items(), key=lambda kv: -kv[1][1])[:top]:
        where = "DRAM" if pc >= 0x8E000000 else "SRAM"
        print(f"{100 * c / total_c:7.2f}% {100 * n / total_n:7.2f}%  {where}   {name}")


main()
