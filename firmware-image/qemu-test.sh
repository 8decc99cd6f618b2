#!/usr/bin/env bash
# Boots the firmware image under QEMU (mps2-an386, Cortex-M4F) and checks it
# (firmware-image/tests/qemu.rs): the boot status block, two Echo commands,
# the startup's FPU and unaligned-trap settings, a BadCommand fault and an
# unaligned-access fault, and the deepest stack use (the stack is painted
# before boot). Then runs every examples/*.py on core 0 under QEMU with the
# Run command and compares its output with the simulator's (`epython -c 0`);
# a program whose first line is `# expect: TYPE` must raise that exception on
# both (qemu-programs/memory.py: MemoryError once arena and DRAM spill are full).
#
# Skips (exit 0, with a message) when qemu-system-arm is missing.
# Needs: apt-get install -y qemu-system-arm; rustup target add thumbv7em-none-eabihf.
set -euo pipefail
cd "$(dirname "$0")/.."

# rustc calls strict-align "unknown and unstable" (it is LLVM's ARM feature
# and works); drop that warning's lines, keep everything else.
quiet_strict_align() {
  { grep -v -e 'unknown and unstable feature specified for .-Ctarget-feature.: .strict-align.' \
      -e 'it is still passed through to the codegen backend' -e 'consider filing a feature request' \
      -e '^ *|$' -e '^$' || true; } >&2
}

if ! command -v qemu-system-arm >/dev/null 2>&1; then
  echo "qemu-test: SKIPPED: qemu-system-arm is not installed (apt-get install -y qemu-system-arm)"
  exit 0
fi
CARGO=${CARGO:-cargo}
TARGET=thumbv7em-none-eabihf
target_dir="${CARGO_TARGET_DIR:-target}"
case "$target_dir" in /*) ;; *) target_dir="$PWD/$target_dir" ;; esac

env -u RUSTFLAGS CARGO_ENCODED_RUSTFLAGS="-Ctarget-feature=+strict-align" \
  $CARGO build -q -p firmware-image --bin epython-firmware --target "$TARGET" --profile firmware 2>&1 |
  quiet_strict_align
export EPYTHON_FIRMWARE_ELF="$target_dir/$TARGET/firmware/epython-firmware"
$CARGO build -q -p cli
epython="$target_dir/debug/epython"

echo "== boot, echo, faults, stack"
$CARGO test -q -p firmware-image --test qemu -- --nocapture 2>&1 | grep -vE '^\s*$|^running|^\.$'

work="$target_dir/qemu-test"
mkdir -p "$work"
fail=0
for py in examples/*.py firmware-image/qemu-programs/*.py; do
  name=$(basename "$py" .py)
  echo "== $py on core 0: QEMU vs the simulator"
  "$epython" compile "$py" -o "$work/$name.epyc"
  raised=0
  EPYTHON_DEVICE=sim "$epython" -c 0 "$py" > "$work/$name.expect" 2>"$work/$name.sim-stderr" || raised=1
  if EPYTHON_QEMU_RUN="$work/$name.epyc" EPYTHON_QEMU_EXPECT="$work/$name.expect" EPYTHON_QEMU_EXPECT_ERROR=$raised \
     $CARGO test -q -p firmware-image --test qemu -- --nocapture > "$work/$name.log" 2>&1; then
    grep -E '^(run[ :]|\[device|qemu: stack)' "$work/$name.log" | sed 's/^/   /'
    # `# expect: TYPE` on a program's first line: both runs raise exactly that
    # Python exception (the QEMU log shows its number from errors.rs).
    expect=$(sed -n '1s/^# expect: *\([A-Za-z]*\).*/\1/p' "$py")
    if [ -n "$expect" ]; then
      code=$(sed -n "s/^ *$expect = \([0-9]*\) =>.*/\1/p" shared-protocol/src/errors.rs)
      if grep -q ": $expect:" "$work/$name.sim-stderr" && grep -q "exception type $code," "$work/$name.log"; then
        echo "   $expect on the simulator and under QEMU"
      else
        echo "FAIL: $py must raise $expect (type $code) on both" >&2
        cat "$work/$name.sim-stderr" >&2
        fail=1
      fi
    fi
  else
    echo "FAIL: $py under QEMU" >&2
    grep -vE '^\s*$' "$work/$name.log" | tail -20 >&2
    fail=1
  fi
done
if [ "$fail" -ne 0 ]; then echo "qemu-test: FAILED" >&2; exit 1; fi
echo "qemu-test: ok"
