#!/usr/bin/env bash
# Run the fuzz targets one after another, SECONDS each (design.md §7, §8:
# cargo fuzz on the installed nightly toolchain, else RUSTC_BOOTSTRAP=1).
# The vm target starts from the test programs compiled to images, the
# compile target from their sources. Findings land in fuzz/artifacts/TARGET/;
# keep each as a regression test (fuzz/regressions/, `cargo test` in fuzz/).
#
# Usage: fuzz/run.sh SECONDS [TARGET...]     (default: every target)
# Needs: cargo install cargo-fuzz
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:?usage: fuzz/run.sh SECONDS [TARGET...]}"
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(compile vm firmware_mailbox host_mailbox iss_code)

if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  fuzz=(cargo +nightly fuzz)
else
  export RUSTC_BOOTSTRAP=1
  fuzz=(cargo fuzz)
fi
command -v cargo-fuzz >/dev/null || { echo "fuzz/run.sh: cargo-fuzz is not installed (cargo install cargo-fuzz)" >&2; exit 2; }

# Seed corpora (once): the test programs, as source and as images.
if [ ! -d corpus/vm ] || [ ! -d corpus/compile ]; then
  mkdir -p corpus/vm corpus/compile
  cp ../tests/programs/*.py corpus/compile/
  cargo build -q -p cli --manifest-path ../Cargo.toml
  for f in ../tests/programs/*.py; do
    ../target/debug/epython compile "$f" -o "corpus/vm/$(basename "$f" .py).epyc" >/dev/null 2>&1 || true
  done
fi

for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  echo "== fuzz $t for ${secs}s"
  start=$SECONDS
  # -a: debug assertions (integer overflow checks) as in the unit tests.
  set +e
  "${fuzz[@]}" run -a "$t" "corpus/$t" -- -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 2>&1 | grep -E '^(#[0-9]+ +DONE|Done|stat::number_of_executed_units|stat::peak_rss|==[0-9]+==ERROR|thread .* panicked|SUMMARY|artifact_prefix|Test unit written)'
  status=${PIPESTATUS[0]}
  set -e
  echo "== fuzz $t: exit $status after $((SECONDS - start))s"
  [ "$status" -eq 0 ] || exit "$status"
done
