# epython: the two Quick start commands are `make demo` and `make test`.
CARGO ?= cargo
EPYTHON := target/debug/epython
PROPTEST_CASES ?= 256
export PROPTEST_CASES

.PHONY: all build demo test test-long bench check-deps clippy firmware-size firmware-ld-check qemu-test firmware-check

all: build

build:
	$(CARGO) build --workspace

# Build everything and run the examples on the simulated device.
demo: build
	@for f in examples/*.py; do \
	  echo "== $$f"; \
	  EPYTHON_DEVICE=$${EPYTHON_DEVICE:-sim} $(EPYTHON) $$f || exit 1; \
	done

# All tests (unit, end-to-end against the simulator) and the dependency rule.
test: check-deps
	$(CARGO) test --workspace

# The long runs: the differential test on DIFF_CASES random programs
# (default 100000; tests/tests/diff.rs), with its coverage report.
DIFF_CASES ?= 100000
test-long:
	DIFF_CASES=$(DIFF_CASES) $(CARGO) test --release -p e2e-tests --test diff -- --nocapture

# A benchmark, not a test: the VM (release `epython -d 1` on a simulated
# device) against python3 on the kernels in tests/bench, whole process
# included; figures go in BENCHMARKS.md. BENCH_ARGS="--runs 9 fib" etc.
bench:
	$(CARGO) build --release -p cli
	$(CARGO) run --release -q -p e2e-tests --bin bench -- $(BENCH_ARGS)

# The loader must not depend on the simulator (design.md §1): it goes into
# minimal board images and talks to any device only through mapped memory.
check-deps:
	@if $(CARGO) tree -p loader -e normal --prefix none | grep -E '^(simulator|firmware|compiler) '; then \
	  echo "loader depends on a crate it must not"; exit 1; \
	else echo "check-deps: loader does not depend on simulator/firmware/compiler"; fi

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# The firmware as a bare-metal image (thumbv7em proxy): its size against the
# code budget, the linker scripts' overflow checks, and a boot under QEMU
# (needs: rustup target add thumbv7em-none-eabihf; apt-get install
# qemu-system-arm binutils-arm-none-eabi — .ci/run installs them).
firmware-size:
	CARGO=$(CARGO) firmware-image/size.sh

firmware-ld-check:
	CARGO=$(CARGO) firmware-image/ld-check.sh

qemu-test:
	CARGO=$(CARGO) firmware-image/qemu-test.sh

firmware-check: firmware-size firmware-ld-check qemu-test
