#!/usr/bin/env bash
# Builds the firmware for the Epiphany (issue 13; README "The firmware on the
# chip"): the `firmware` crate with the Epiphany Platform (firmware-epiphany)
#   Rust --rustc--> wasm32-unknown-unknown --wasm2c--> C --epiphany-elf-gcc--> ELF
# into target/epiphany/epython-firmware.elf. Needs the Epiphany toolchain
# (make epiphany-toolchain), wabt's wasm2c and the wasm32 target (rustup
# target add wasm32-unknown-unknown); installs the last two if missing.
#
# Usage: firmware-epiphany/build.sh          (prints each step's time)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out="${CARGO_TARGET_DIR:-target}/epiphany"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
step() { echo "epiphany: $*"; }
start=$SECONDS

prefix="${EPIPHANY_PREFIX:-}"
[ -n "$prefix" ] || prefix=$(tools/epiphany-toolchain.sh --prefix) || {
  echo "epiphany: no Epiphany toolchain; build it with \`make epiphany-toolchain\`" >&2
  exit 2
}
gcc="$prefix/bin/epiphany-elf-gcc"
if ! command -v wasm2c >/dev/null; then
  step "installing wabt (wasm2c)"
  [ "$(id -u)" = 0 ] || { echo "epiphany: wasm2c missing: apt-get install wabt" >&2; exit 2; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wabt >/dev/null
fi
rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

step "layout definitions from shared-protocol"
defs() { ${CARGO:-cargo} run -q -p firmware-epiphany --bin epiphany-defs -- "$1"; }
defs h >"$out/epiphany-defs.h"
defs ld >"$out/epiphany-defs.ld"
defs memory >"$out/memory.ld"
global_base=$(defs global-base)

step "rustc: the firmware crate for wasm32 (profile firmware)"
t=$SECONDS
# The data segment at the layout's address; a small stack (its placement is
# replaced at start-up by the layout's shadow-stack region, platform.c).
env -u RUSTFLAGS CARGO_ENCODED_RUSTFLAGS="-Clink-arg=--global-base=$global_base"$'\x1f'"-Clink-arg=-zstack-size=16" \
  ${CARGO:-cargo} build -q -p firmware-epiphany --lib --target wasm32-unknown-unknown --profile firmware
wasm="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/firmware/firmware_epiphany.wasm"
echo "epiphany:   $(stat -c %s "$wasm") bytes of wasm ($((SECONDS - t)) s)"

step "wasm2c"
mkdir -p "$out/wasm2c"
wasm2c "$wasm" -n firmware -o "$out/wasm2c/firmware.c"
python3 firmware-epiphany/postprocess.py "$out/wasm2c/firmware.c" "$out/firmware.c"
cp /usr/include/wasm-rt.h "$out/"

step "epiphany-elf-gcc"
t=$SECONDS
inc="$("$gcc" -print-file-name=include)"
common=(-nostdinc -isystem "$root/firmware-epiphany/c/include" -isystem "$inc-fixed" -isystem "$inc"
  -I "$out" -I "$out/wasm2c" -I "$root/firmware-epiphany/c"
  -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=1 -DWASM_RT_SKIP_SIGNAL_RECOVERY=1 -DWASM_RT_USE_STACK_DEPTH_COUNT=0
  -ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns -fno-delete-null-pointer-checks
  -ffunction-sections -fdata-sections -w)
# The module: code in DRAM, calls within it short. -mfp-mode=round-nearest:
# wasm's float semantics, and GCC 12 stops with an internal error on this
# much code in its default mode (reference: epiphany-toolchain.md).
"$gcc" "${common[@]}" -Os -mfp-mode=round-nearest -c "$out/firmware.c" -o "$out/firmware.o"
# The glue: resident parts call into DRAM, so every call is long. No float
# code; the default FP mode (round-nearest makes GCC 12 stop on an
# interrupt handler).
for f in runtime platform; do
  "$gcc" "${common[@]}" -Os -mlong-calls -c "firmware-epiphany/c/$f.c" -o "$out/$f.o"
done
"$gcc" "${common[@]}" -c firmware-epiphany/c/crt0.S -o "$out/crt0.o"
echo "epiphany:   compiled ($((SECONDS - t)) s)"

step "link"
"$gcc" -nostdlib -Wl,--gc-sections -Wl,--no-warn-rwx-segments -L "$out" -T firmware-epiphany/firmware.ld \
  "$out/crt0.o" "$out/platform.o" "$out/runtime.o" "$out/firmware.o" -lgcc -o "$out/epython-firmware.elf"
"$prefix/bin/epiphany-elf-size" -A "$out/epython-firmware.elf" | sed -n '1,20p'
echo "epiphany: built $out/epython-firmware.elf in $((SECONDS - start)) s"
