# epython: the two Quick start commands are `make demo` and `make test`.
CARGO ?= cargo
EPYTHON := target/debug/epython
PROPTEST_CASES ?= 256
export PROPTEST_CASES

# The CPython package (python/) lives in its own virtualenv.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: all build python demo test test-python test-iss epiphany-toolchain epiphany epiphany-size epiphany-if-toolchain corpus-isa-long test-python-isa test-long csmith-long bench-iss diff-long stress fuzz-smoke bench bench-parallel check-deps clippy firmware-size firmware-ld-check qemu-test firmware-check armv7 armv7-test armv7-firmware-check

all: build

build:
	$(CARGO) build --workspace

# The `epython` Python package (PyO3 + maturin) installed into $(VENV).
# The build tools are installed into $(VENV) once (the only step that needs
# the network); the package is then built with them (--no-build-isolation:
# pip fetches nothing), maturin builds the extension in release mode, and
# cargo decides what is stale in python/target, so an unchanged tree
# reinstalls in seconds. maturin's build backend runs the `maturin` command:
# $(VENV)/bin goes first on PATH. pytest-timeout fails a test that hangs
# (python/pyproject.toml: 300 s each) instead of stalling the suite. The
# stamp's name changes with the list, so an older venv gets what is new.
$(VENV)/.tools-2:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q 'maturin>=1.9,<2' pytest pytest-timeout numpy
	touch $@

python: $(VENV)/.tools-2
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/pip install -q --no-build-isolation ./python

# Build everything and run the examples on the simulated device: whole
# programs on the cores (`epython FILE`), then the offload tutorial from CPython.
demo: build python
	@for f in examples/*.py; do \
	  echo "== epython $$f"; \
	  EPYTHON_DEVICE=$${EPYTHON_DEVICE:-sim} $(EPYTHON) $$f || exit 1; \
	done
	@for f in examples/offload/*.py; do \
	  echo "== python $$f"; \
	  EPYTHON_DEVICE=$${EPYTHON_DEVICE:-sim} $(PY) $$f || exit 1; \
	done

# All tests: unit and end-to-end against the simulator, the dependency rule,
# the Epiphany instruction-set simulator's tests, and the Python package's
# pytest suite.
test: check-deps test-python test-iss epiphany-if-toolchain
	$(CARGO) test --workspace --exclude iss

# The tests run the Epiphany firmware of this tree: rebuilt when the
# toolchain is there (a stale one would test old code); without it the ISA
# tests say they are skipped.
epiphany-if-toolchain:
	@if tools/epiphany-toolchain.sh --prefix >/dev/null 2>&1; then firmware-epiphany/build.sh >/dev/null && echo "epiphany: firmware rebuilt for the tests"; \
	else echo "epiphany: no toolchain (make epiphany-toolchain): the tests on Epiphany code are skipped"; fi

# The Epiphany cross toolchain (binutils 2.40 + GCC 12.2 for epiphany-elf),
# built from Debian's source packages into ~/.cache/epython/epiphany-elf/KEY
# (about 8 minutes once; seconds when cached). Only the ISS's tests and the
# Epiphany builds need it.
epiphany-toolchain:
	tools/epiphany-toolchain.sh

# The firmware for the chip itself (issue 13): the firmware crate with the
# Epiphany platform, Rust -> wasm32 -> wasm2c -> epiphany-elf-gcc, into
# target/epiphany/epython-firmware.elf (needs make epiphany-toolchain; wabt
# and the wasm32 target are installed if missing). `make epiphany-size`
# reports its regions next to the proxy build's.
epiphany:
	firmware-epiphany/build.sh

epiphany-size:
	firmware-epiphany/size.sh

# The instruction-set simulator's tests (iss/), timed. Those that compare
# with the toolchain (objdump, epiphany-elf-gcc) skip with a message when it
# is not built, and fail under CI=true.
test-iss:
	@start=$$(date +%s); $(CARGO) test -p iss; \
	echo "test-iss: the ISA tests took $$(( $$(date +%s) - start )) s"

# The epython CLI serves simulator files to the tests that need another
# process (test_killed_host.py).
test-python: python
	$(CARGO) build -q -p cli
	EPYTHON_BIN=$(CURDIR)/$(EPYTHON) $(PY) -m pytest -q python/tests

# The long runs (design.md §8; not in `make test`): the differential test on
# DIFF_CASES programs, the stress tests at the issue's sizes, then a short run
# of each fuzz target (cargo-fuzz needed: `cargo install cargo-fuzz`;
# FUZZ_SECONDS each; longer runs: fuzz/run.sh 600).
FUZZ_SECONDS ?= 20
test-long: diff-long stress fuzz-smoke csmith-long corpus-isa-long test-python-isa

# The CPython package on Epiphany code (ISA mode): the tutorial, the API's
# options and errors, device data, the parallel module. (test_faults.py
# forces faults through the native simulator's hooks; ISA mode's faults are
# tests/tests/isa_mode.rs.)
test-python-isa: python
	$(CARGO) build -q -p cli
	EPYTHON_DEVICE=sim:isa EPYTHON_BIN=$(CURDIR)/$(EPYTHON) $(PY) -m pytest -q python/tests/test_tutorial.py python/tests/test_api.py python/tests/test_data.py python/tests/test_parallel.py

# The whole language corpus on Epiphany code (ISA mode; make test runs every
# 10th program). About 2 minutes on this machine.
corpus-isa-long: epiphany
	CORPUS_ISA_EVERY=1 $(CARGO) test --release -p e2e-tests --test corpus corpus_on_epiphany_code -- --nocapture

# The ISS against native runs on CSMITH_PROGRAMS random C programs
# (iss/tests/csmith.rs; release build, about 1.5 s a program).
CSMITH_PROGRAMS ?= 200
csmith-long:
	CSMITH_PROGRAMS=$(CSMITH_PROGRAMS) $(CARGO) test --release -p iss --test csmith -- --nocapture

# 8 threads x 5,000 mixed launches, 100 close/open cycles, RSS over 100,000
# launches; the figures are printed.
stress: python
	STRESS=1 $(PY) -m pytest -q -s python/tests/test_stress.py

fuzz-smoke:
	fuzz/run.sh $(FUZZ_SECONDS)

# The differential test on DIFF_CASES random programs (default 100000;
# tests/tests/diff.rs), with its coverage report.
DIFF_CASES ?= 100000
diff-long:
	DIFF_CASES=$(DIFF_CASES) $(CARGO) test --release -p e2e-tests --test diff -- --nocapture

# A benchmark, not a test: the VM (release `epython -d 1` on a simulated
# device) against python3 on the kernels in tests/bench, whole process
# included; figures go in BENCHMARKS.md. BENCH_ARGS="--runs 9 fib" etc.
bench:
	$(CARGO) build --release -p cli
	$(CARGO) run --release -q -p e2e-tests --bin bench -- $(BENCH_ARGS)

# The instruction-set simulator's speed (not a test): simulated Epiphany
# instructions per second on one host core (iss/examples/bench.rs).
bench-iss:
	$(CARGO) run --release -q -p iss --example bench -- $(BENCH_ARGS)

# The VM on Epiphany code (not a test): each bench kernel on one ISA-mode
# core, in the ISS's Epiphany cycles (tests/src/bin/isabench.rs).
bench-isa: epiphany
	$(CARGO) run --release -q -p e2e-tests --bin isabench -- $(BENCH_ARGS)

# The parallel module's figures (not a test): ring messages/s and the 1-D
# Jacobi time on a simulated E16 (tests/src/bin/parbench.rs, BENCHMARKS.md).
bench-parallel:
	$(CARGO) build --release -p cli
	$(CARGO) run --release -q -p e2e-tests --bin parbench -- $(BENCH_ARGS)

# The loader must not depend on the simulator (design.md §1): it goes into
# minimal board images and talks to any device only through mapped memory.
check-deps:
	@if $(CARGO) tree -p loader -e normal --prefix none | grep -E '^(simulator|firmware|compiler) '; then \
	  echo "loader depends on a crate it must not"; exit 1; \
	else echo "check-deps: loader does not depend on simulator/firmware/compiler"; fi

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	cd python && $(CARGO) clippy --all-targets -- -D warnings

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

# The Parallella's ARM CPU (README "Building for the board"). .cargo/config.toml
# names the cross linker, +crt-static and the qemu runner for this target only.
# Needs: rustup target add armv7-unknown-linux-gnueabihf; apt-get install
# gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user-static (.ci/run does).
ARMV7 := armv7-unknown-linux-gnueabihf
ARMV7_BIN := $(or $(CARGO_TARGET_DIR),target)/$(ARMV7)/release/epython

# The epython CLI for the board, statically linked (Debian's cross glibc 2.36 is
# newer than the Parallella images'): fails unless `file` says it is a static
# 32-bit ARM executable. It carries the Epiphany firmware of this tree
# (EPYTHON_EMBED_FIRMWARE, rebuilt first when the toolchain is there), so a
# board needs no other file; without the toolchain it is built without one
# and says so (then `epython-firmware.elf` beside it, or EPYTHON_FIRMWARE).
EPIPHANY_ELF := $(or $(CARGO_TARGET_DIR),target)/epiphany/epython-firmware.elf

armv7: epiphany-if-toolchain
	@if [ -e $(EPIPHANY_ELF) ]; then echo "armv7: embedding $(EPIPHANY_ELF)"; \
	else echo "armv7: no Epiphany firmware to embed (make epiphany-toolchain epiphany): the board will need one beside epython"; fi
	EPYTHON_EMBED_FIRMWARE=$$([ -e $(EPIPHANY_ELF) ] && echo $(abspath $(EPIPHANY_ELF))) \
	  $(CARGO) build --release --target $(ARMV7) -p cli
	@info=$$(file -b $(ARMV7_BIN)) || exit 1; echo "$(ARMV7_BIN): $$info"; \
	case "$$info" in \
	  *"32-bit"*ARM*"statically linked"*|*"32-bit"*ARM*"static-pie linked"*) \
	    echo "armv7: static ARM binary, $$(stat -c %s $(ARMV7_BIN)) bytes";; \
	  *) echo "armv7: $(ARMV7_BIN) is not a statically linked 32-bit ARM executable" >&2; exit 1;; \
	esac

# The board build's firmware is the one the tests ran (issue 13): the armv7
# epython, under qemu-arm-static, writes out the firmware it would load, which
# must equal target/epiphany's byte for byte; then it runs a program on a
# simulated chip in ISA mode with it. Run after `make test` (CI does).
armv7-firmware-check:
	@[ -e $(EPIPHANY_ELF) ] || { echo "armv7-firmware-check: no $(EPIPHANY_ELF) (make epiphany)" >&2; exit 1; }
	@tmp=$$(mktemp); trap 'rm -f $$tmp' EXIT; \
	qemu-arm-static $(ARMV7_BIN) device firmware --extract $$tmp && \
	cmp $$tmp $(EPIPHANY_ELF) && echo "armv7-firmware-check: the armv7 epython carries $(EPIPHANY_ELF), byte for byte"
	EPYTHON_DEVICE=sim:isa EPYTHON_FIRMWARE= qemu-arm-static $(ARMV7_BIN) -d 2 examples/hello.py

# The loader's tests on a 32-bit ARM host (64-bit file offsets past 2 GB,
# separate mmaps of each window) under qemu-arm-static, then the end-to-end
# loader tests that drive a simulator (in-process and in a second process,
# started through the emulator because qemu-user cannot exec an ARM binary
# without binfmt_misc).
armv7-test:
	$(CARGO) test --target $(ARMV7) -p loader
	EPYTHON_TEST_EXEC_WRAPPER=qemu-arm-static $(CARGO) test --target $(ARMV7) -p e2e-tests --test loader_sim --test loader_elf
