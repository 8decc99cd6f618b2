# epython: the two Quick start commands are `make demo` and `make test`.
CARGO ?= cargo
EPYTHON := target/debug/epython
PROPTEST_CASES ?= 256
export PROPTEST_CASES

.PHONY: all build demo test check-deps clippy

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

# The loader must not depend on the simulator (design.md §1): it goes into
# minimal board images and talks to any device only through mapped memory.
check-deps:
	@if $(CARGO) tree -p loader -e normal --prefix none | grep -E '^(simulator|firmware|compiler) '; then \
	  echo "loader depends on a crate it must not"; exit 1; \
	else echo "check-deps: loader does not depend on simulator/firmware/compiler"; fi

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings
