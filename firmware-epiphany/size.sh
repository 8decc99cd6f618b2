#!/usr/bin/env bash
# `make epiphany-size`: the Epiphany firmware's memory, region by region
# (shared-protocol's layout table; firmware-epiphany/firmware.ld), next to
# the proxy build's (firmware-image/size.sh), and its biggest functions.
# Fails when a region overflows: the link already refuses an overflow of the
# resident region, the DRAM code region or the wasm data region; this script
# checks the stack regions' sizes against the layout too.
#
# Usage: firmware-epiphany/size.sh [ELF]     (no ELF: build it first)
set -euo pipefail
cd "$(dirname "$0")/.."
elf="${1:-}"
if [ -z "$elf" ]; then
  firmware-epiphany/build.sh >/dev/null
  elf="${CARGO_TARGET_DIR:-target}/epiphany/epython-firmware.elf"
fi
prefix="${EPIPHANY_PREFIX:-$(tools/epiphany-toolchain.sh --prefix)}"
nm="$prefix/bin/epiphany-elf-nm"
defs="${CARGO_TARGET_DIR:-target}/epiphany/epiphany-defs.h"
[ -f "$elf" ] && [ -f "$defs" ] || { echo "epiphany-size: no $elf (run make epiphany)" >&2; exit 2; }

def() { awk -v n="EPY_$1" '$2 == n { print strtonum($3) }' "$defs"; }
sym() { "$nm" "$elf" | awk -v n="$1" '$3 == n { print strtonum("0x" $1) }'; }
section() { "$prefix/bin/epiphany-elf-size" -A "$elf" | awk -v s="$1" '$1 == s { print $2 }'; }

resident_used=$(( $(sym __bss_end) - $(def RESIDENT_START) ))
resident_size=$(( $(def RESIDENT_END) - $(def RESIDENT_START) ))
dram_code=$(( $(section .text) + $(section .rodata) ))
wasm_data=$(section .wasm_data)

printf '%-28s %10s %10s\n' "Epiphany build (SRAM)" used size
printf '%-28s %10s %10s\n' "ivt" "$(section .ivt)" 40
printf '%-28s %10s %10s\n' "resident code + C data" "$resident_used" "$resident_size"
printf '%-28s %10s %10s\n' "shadow stack (Rust)" "-" $(( $(def SHADOW_STACK_END) - $(def SHADOW_STACK_START) ))
printf '%-28s %10s %10s\n' "C stack" "-" $(( $(def C_STACK_END) - $(def C_STACK_START) ))
printf '%-28s %10s %10s\n' "Epiphany build (DRAM)" used cap
printf '%-28s %10s %10s\n' "code + read-only data" "$dram_code" "$(def DRAM_CODE_CAP)"
printf '%-28s %10s %10s\n' "wasm data segment" "$wasm_data" "$(def WASM_DATA_CAP)"
# The VM arena, the mailboxes and the (unused here) firmware stack keep the
# layout table's sizes in both builds.
cargo run -q -p firmware-epiphany --bin epiphany-defs -- regions

proxy="${CARGO_TARGET_DIR:-target}/thumbv7em-none-eabihf/firmware/epython-firmware"
if [ -f "$proxy" ] && command -v arm-none-eabi-size >/dev/null; then
  echo "proxy build (thumbv7em, $proxy):"
  arm-none-eabi-size -A "$proxy" | awk '$1 ~ /^\.(text|rodata|dram\.text|dram\.rodata)$/ { printf "  %-26s %10s\n", $1, $2 }'
fi

echo "15 biggest functions (Epiphany code, bytes):"
"$nm" --size-sort -S "$elf" | awk '$3 ~ /[tT]/ { print }' | tail -15 | awk '{ printf "  %8d  %s\n", strtonum("0x" $2), $4 }'

if [ "$resident_used" -gt "$resident_size" ] || [ "$dram_code" -gt "$(def DRAM_CODE_CAP)" ]; then
  echo "epiphany-size: a region overflows" >&2
  exit 1
fi
