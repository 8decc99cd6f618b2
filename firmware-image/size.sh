#!/usr/bin/env bash
# Builds the bare-metal firmware image (thumbv7em-none-eabihf, profile
# "firmware", strict alignment), prints its section sizes and biggest symbols,
# and FAILS when
#   - the resident code, .text + .rodata in the CODE region, exceeds
#     CODE_BUDGET (read from the image: the linker script generated from
#     shared-protocol's layout table defines __code_budget), or
#   - the cold code, .dram.text + .dram.rodata in the DRAM code region
#     (linker/README.md), exceeds its cap (__dram_code_cap), or
#   - the image contains 64-bit division helpers or any core::fmt code
#     (float or integer formatting; design.md §3).
#
# Usage: firmware-image/size.sh [ELF]      (no ELF: build it first)
# Needs: rustup target add thumbv7em-none-eabihf; binutils-arm-none-eabi
#        (or llvm-nm/llvm-size on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."

# rustc calls strict-align "unknown and unstable" (it is LLVM's ARM feature
# and works); drop that warning's lines, keep everything else.
quiet_strict_align() {
  { grep -v -e 'unknown and unstable feature specified for .-Ctarget-feature.: .strict-align.' \
      -e 'it is still passed through to the codegen backend' -e 'consider filing a feature request' \
      -e '^ *|$' -e '^$' || true; } >&2
}

TARGET=thumbv7em-none-eabihf
ELF="${1:-}"
if [ -z "$ELF" ]; then
  target_dir="${CARGO_TARGET_DIR:-target}"
  # Strict alignment (the Epiphany faults on unaligned access). The encoded
  # form wins over RUSTFLAGS, which would otherwise replace it.
  env -u RUSTFLAGS CARGO_ENCODED_RUSTFLAGS="-Ctarget-feature=+strict-align" \
    ${CARGO:-cargo} build -q -p firmware-image --bin epython-firmware --target "$TARGET" --profile firmware 2>&1 |
    quiet_strict_align
  ELF="$target_dir/$TARGET/firmware/epython-firmware"
fi
[ -f "$ELF" ] || { echo "size.sh: no image at $ELF" >&2; exit 2; }

pick() { for t in "$@"; do command -v "$t" >/dev/null 2>&1 && { echo "$t"; return; }; done; }
NM=$(pick arm-none-eabi-nm llvm-nm rust-nm)
SIZE=$(pick arm-none-eabi-size llvm-size rust-size)
if [ -z "$NM" ] || [ -z "$SIZE" ]; then
  echo "size.sh: needs nm and size for ARM: apt-get install -y binutils-arm-none-eabi" >&2
  exit 2
fi

sect() { "$SIZE" -A "$ELF" | awk -v s="$1" '$1 == s { print $2; f = 1 } END { if (!f) print 0 }'; }
text=$(sect .text); rodata=$(sect .rodata); data=$(sect .data); bss=$(sect .bss); ivt=$(sect .ivt)
budget_hex=$("$NM" "$ELF" | awk '$3 == "__code_budget" { print $1 }')
[ -n "$budget_hex" ] || { echo "size.sh: __code_budget missing from $ELF (not linked with linker/proxy.ld?)" >&2; exit 2; }
budget=$((16#$budget_hex))
code=$((text + rodata))
dtext=$(sect .dram.text); drodata=$(sect .dram.rodata)
dram_code=$((dtext + drodata))
dcap_hex=$("$NM" "$ELF" | awk '$3 == "__dram_code_cap" { print $1 }')
dstart_hex=$("$NM" "$ELF" | awk '$3 == "__dram_code_start" { print $1 }')
[ -n "$dcap_hex" ] && [ -n "$dstart_hex" ] || { echo "size.sh: __dram_code_cap/__dram_code_start missing from $ELF (not linked with linker/proxy.ld?)" >&2; exit 2; }
dcap=$((16#$dcap_hex)); dstart=$((16#$dstart_hex))

echo "== firmware image: $ELF"
printf '%-10s %7s\n' section bytes
printf '%-10s %7d   (the 10-word vector table in the IVT, outside the budget)\n' .ivt "$ivt"
printf '%-10s %7d   (firmware header included)\n' .text "$text"
printf '%-10s %7d\n' .rodata "$rodata" .data "$data" .bss "$bss"
printf '%-10s %7d of CODE_BUDGET %d (%d%%, %d bytes free)   resident code, in SRAM\n' "code" "$code" "$budget" $((code * 100 / budget)) $((budget - code))
printf '%-12s %5d\n' .dram.text "$dtext" .dram.rodata "$drodata"
printf '%-10s %7d of the DRAM code cap %d (%d%%, %d bytes free)   cold code, at %#x in the DRAM window\n' "dram code" "$dram_code" "$dcap" $((dram_code * 100 / dcap)) $((dcap - dram_code)) "$dstart"

echo "== 15 biggest symbols ([dram]: in the DRAM code region)"
"$NM" -C -S --size-sort "$ELF" | awk '$3 ~ /^[tTrRdDbB]$/' | tail -n 15 | tac |
  while read -r addr sz _kind name; do
    where=""; [ $((16#$addr)) -ge "$dstart" ] && where="[dram] "
    printf '%7d  %s%s\n' "$((16#$sz))" "$where" "$name"
  done

fail=0
if [ "$code" -gt "$budget" ]; then
  echo "FAIL: .text + .rodata = $code bytes exceeds CODE_BUDGET = $budget" >&2
  fail=1
fi
if [ "$dram_code" -gt "$dcap" ]; then
  echo "FAIL: .dram.text + .dram.rodata = $dram_code bytes exceeds the DRAM code cap = $dcap" >&2
  fail=1
fi
symbols=$("$NM" -C "$ELF")
div64=$(grep -E '__aeabi_(u?ldivmod)|__(u?div|u?mod)di3|__u?divmoddi4|[ui](64|128)_div_rem|__udivti3|__divti3' <<<"$symbols" || true)
if [ -n "$div64" ]; then
  echo "FAIL: 64-bit division in the image (design.md §3):" >&2
  echo "$div64" | sed 's/^/    /' >&2
  fail=1
fi
fltfmt=$(grep -E 'float_to_decimal|float_to_exponential|flt2dec|grisu|dragon|fmt::float' <<<"$symbols" || true)
if [ -n "$fltfmt" ]; then
  echo "FAIL: core::fmt float code in the image (design.md §3):" >&2
  echo "$fltfmt" | sed 's/^/    /' >&2
  fail=1
fi
anyfmt=$("$NM" -C -S "$ELF" | grep -E 'core::fmt|pad_integral' || true)
if [ -n "$anyfmt" ]; then
  bytes=0
  while read -r _addr sz _rest; do bytes=$((bytes + 16#$sz)); done <<<"$anyfmt"
  echo "FAIL: core::fmt code in the image ($bytes bytes; design.md §3). A panic handler that" >&2
  echo "      reads the PanicInfo (message or location) keeps core's formatting alive:" >&2
  while read -r _addr sz _kind name; do printf '%7d  %s\n' "$((16#$sz))" "$name"; done <<<"$anyfmt" >&2
  fail=1
fi
if [ "$fail" -ne 0 ]; then
  echo "firmware-size: FAILED" >&2
  exit 1
fi
echo "firmware-size: ok"
