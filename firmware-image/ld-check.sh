#!/usr/bin/env bash
# Checks that the linker scripts enforce the layout:
#  1. the proxy image with a whole CODE_BUDGET of extra .rodata
#     (--features budget-overflow-test) fails to link;
#  2. linker/epiphany.ld (the chip's script, which no build uses yet) links a
#     stub object with GNU ld, puts the IVT, the loader blocks and the image
#     where the table says, routes a cold function (the verifier) to the DRAM
#     code region, and fails the link when the code exceeds the budget.
# Needs: rustup target add thumbv7em-none-eabihf; binutils-arm-none-eabi.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
TARGET=thumbv7em-none-eabihf
target_dir="${CARGO_TARGET_DIR:-target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
work="$target_dir/ld-check"
rm -rf "$work"; mkdir -p "$work"

echo "== proxy image: a budget overflow must fail the link"
if env -u RUSTFLAGS CARGO_ENCODED_RUSTFLAGS="-Ctarget-feature=+strict-align" \
   ${CARGO:-cargo} build -q -p firmware-image --bin epython-firmware --target "$TARGET" --profile firmware \
   --features budget-overflow-test --target-dir "$work/cargo" >"$work/overflow.log" 2>&1; then
  echo "FAIL: the image linked with CODE_BUDGET extra bytes of .rodata" >&2; exit 1
fi
if ! grep -qE "will not fit in region .CODE.|exceeds CODE_BUDGET" "$work/overflow.log"; then
  echo "FAIL: the build failed, but not with a CODE region overflow:" >&2; tail -20 "$work/overflow.log" >&2; exit 1
fi
grep -oE "error: .*(will not fit in region .CODE.|overflowed by [0-9]+ bytes|exceeds CODE_BUDGET).*" "$work/overflow.log" | sort -u | sed 's/^/   /'

echo "== linker/epiphany.ld with GNU ld (OUTPUT_FORMAT/ARCH dropped: no Epiphany ld here)"
for t in arm-none-eabi-as arm-none-eabi-ld arm-none-eabi-nm; do
  command -v $t >/dev/null || { echo "ld-check.sh: needs $t: apt-get install -y binutils-arm-none-eabi" >&2; exit 2; }
done
cd "$work"
sed '/^OUTPUT_FORMAT\|^OUTPUT_ARCH/d' "$root/linker/epiphany.ld" > epiphany-noarch.ld
cat > stub.s <<'ASM'
.section IVT_RESET,"ax"
.word 0xe8
.section ivt_entry_user,"ax"
.word 0xe8
.section .fw_header,"a"
.word 0x57465045, 1, 1, 1, __image_len, 0, 0, 0
.section RESERVED_CRT0,"ax"
.global _start
_start: .word 0
.text
.word 1, 2
.section .rodata
.word 3
.section workgroup_cfg,"aw"
.space 40
.section .text._ZN8firmware6verify6verify17h0123456789abcdefE,"ax"
.word 4
ASM
layout() { awk -v s="$1" '$1 == s { sub(";", "", $3); print $3 }' "$root/linker/epiphany-layout.ld"; }
printf '.section .rodata\n.space %d\n' "$(( $(layout __code_budget) ))" > big.s
arm-none-eabi-as stub.s -o stub.o
arm-none-eabi-as big.s -o big.o
arm-none-eabi-ld -L "$root/linker" -T epiphany-noarch.ld stub.o -o stub.elf
sym() { arm-none-eabi-nm stub.elf | awk -v s="$1" '$3 == s { print "0x" $1 }'; }
check() { # name, have, want
  if [ $(( $2 )) -ne $(( $3 )) ]; then echo "FAIL: $1 at $2, the table says $3" >&2; exit 1; fi
  printf '   %-16s %s\n' "$1" "$2"
}
check "header/image" "$(sym __image_start)" "$(layout __code_start)"
check "stack top" "$(sym ___stack)" "$(layout __stack_top)"
check "workgroup_cfg" "0x$(arm-none-eabi-objdump -h stub.elf | awk '$2 == "workgroup_cfg" { print $4 }')" "$(layout __workgroup_cfg)"
check "cold code" "0x$(arm-none-eabi-objdump -h stub.elf | awk '$2 == ".dram.text" { print $4 }')" "$(layout __dram_code_start)"
check "ivt_user" "0x$(arm-none-eabi-objdump -h stub.elf | awk '$2 == "ivt_user" { print $4 }')" "$(layout __ivt_start) + 0x24"
if arm-none-eabi-ld -L "$root/linker" -T epiphany-noarch.ld stub.o big.o -o big.elf 2>big.log; then
  echo "FAIL: epiphany.ld linked code larger than the budget" >&2; exit 1
fi
grep -q "region .CODE. overflowed" big.log || { echo "FAIL: not a CODE overflow:" >&2; cat big.log >&2; exit 1; }
sed 's/^/   /' big.log
echo "ld-check: ok"
