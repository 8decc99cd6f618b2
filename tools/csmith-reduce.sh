#!/usr/bin/env bash
# Reduce a csmith program on which the ISS and a native run disagree (even at
# -O0 on both sides, so not a GCC optimiser difference) with cvise, and keep
# the result as a regression of iss/tests/csmith.rs:
#
#   tools/csmith-reduce.sh SEED [OUT.c]     (default OUT: iss/tests/csmith-regressions/seedSEED.c)
#
# Needs: csmith, libcsmith-dev, gcc-multilib, cvise (apt-get install cvise) and
# the Epiphany toolchain (make epiphany-toolchain). The ISS side runs through
# `epython device run` in ISA mode, as a user would.
set -euo pipefail
seed="${1:?usage: tools/csmith-reduce.sh SEED [OUT.c]}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${2:-$root/iss/tests/csmith-regressions/seed$seed.c}"
command -v cvise >/dev/null || { echo "csmith-reduce: cvise is not installed (apt-get install cvise)" >&2; exit 2; }
(cd "$root" && cargo build -q -p cli)
work="$(mktemp -d)"
cd "$work"
csmith --seed "$seed" --no-unions --no-packed-struct -o prog.c
# The interestingness test: both sides build and print, and differ.
cat >test.sh <<TEST
#!/usr/bin/env bash
gcc -m32 -O0 -funsigned-char -w -I/usr/include/csmith prog.c -o native 2>/dev/null || exit 1
a=\$(timeout 10 ./native) || exit 1
"$root/tools/epiphany-cc" --layout external -O0 -w -I/usr/include/csmith -o prog.elf prog.c 2>/dev/null || exit 1
b=\$(EPYTHON_DEVICE=sim:isa timeout 120 "$root/target/debug/epython" device run prog.elf -c 0 --timeout 100 | sed -n 's/^\[device 0\] //p')
[ -n "\$a" ] && [ -n "\$b" ] && [ "\$a" != "\$b" ]
TEST
chmod +x test.sh
if ! ./test.sh; then
  echo "csmith-reduce: seed $seed: native and ISS agree at -O0 (or one side fails to run); nothing to reduce" >&2
  exit 1
fi
cvise --timeout 300 ./test.sh prog.c
cp prog.c "$out"
echo "csmith-reduce: kept $out ($(wc -l <prog.c) lines); work files in $work"
