#!/usr/bin/env bash
# The Epiphany cross toolchain (binutils 2.40 + GCC 12.2, C only, with libgcc)
# for target epiphany-elf, built from Debian's source packages
# (../shared/reference/epiphany-toolchain.md has the recipe and its quirks).
#
#   tools/epiphany-toolchain.sh            build into the cache unless it is complete
#   tools/epiphany-toolchain.sh --prefix   print the cache's prefix (PREFIX/bin/epiphany-elf-*),
#                                          build nothing; exit 1 if it is not complete
#
# The cache lives outside the checkout, in $EPIPHANY_TOOLCHAIN_CACHE (default
# ~/.cache/epython/epiphany-elf), in a folder named by KEY: a hash of the two
# source packages' versions and of this script, so a new package or a changed
# recipe builds anew and an unchanged one costs nothing. A prefix is complete
# when its `.complete` stamp exists (written last).
set -Eeuo pipefail

CACHE="${EPIPHANY_TOOLCHAIN_CACHE:-$HOME/.cache/epython/epiphany-elf}"
TARGET=epiphany-elf
APT_PACKAGES=(binutils-source gcc-12-source libmpfr-dev libmpc-dev libgmp-dev flex bison texinfo make gcc g++ xz-utils patch)
JOBS="${EPIPHANY_TOOLCHAIN_JOBS:-$(nproc)}"

script_hash() { sha256sum "${BASH_SOURCE[0]}" | cut -c1-12; }
pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null; }

key() {
  local bv gv
  bv=$(pkg_version binutils-source) && gv=$(pkg_version gcc-12-source) || return 1
  [ -n "$bv" ] && [ -n "$gv" ] || return 1
  printf 'binutils-%s_gcc-%s_%s\n' "$bv" "$gv" "$(script_hash)" | tr '+~:' '___'
}

if [ "${1:-}" = "--prefix" ]; then
  k=$(key) || { echo "epiphany-toolchain: binutils-source/gcc-12-source not installed; run tools/epiphany-toolchain.sh" >&2; exit 1; }
  echo "$CACHE/$k"
  [ -f "$CACHE/$k/.complete" ] || { echo "epiphany-toolchain: $CACHE/$k is not built; run tools/epiphany-toolchain.sh" >&2; exit 1; }
  exit 0
fi

# Each step prints its time; a failing step names itself and its log.
step_start=0
current_step=""
LOG_DIR=""
step() {
  current_step="$1"
  step_start=$SECONDS
  echo "epiphany-toolchain: $current_step ..."
}
step_done() { echo "epiphany-toolchain: $current_step done in $((SECONDS - step_start)) s"; }
on_error() {
  echo "epiphany-toolchain: FAILED at step '$current_step'" >&2
  if [ -n "$LOG_DIR" ] && [ -f "$LOG_DIR/current.log" ]; then
    echo "epiphany-toolchain: last lines of $LOG_DIR/current.log:" >&2
    tail -n 30 "$LOG_DIR/current.log" >&2
  fi
}
trap on_error ERR
# Runs a command with its output in the step's log (kept for a failure).
logged() { "$@" >>"$LOG_DIR/current.log" 2>&1; }

total_start=$SECONDS

step "apt prerequisites"
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "epiphany-toolchain: installing ${missing[*]}"
  [ "$(id -u)" = 0 ] || { echo "epiphany-toolchain: need root for apt-get (missing: ${missing[*]})" >&2; false; }
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
step_done

KEY=$(key)
PREFIX="$CACHE/$KEY"
if [ -f "$PREFIX/.complete" ]; then
  echo "epiphany-toolchain: cached at $PREFIX ($((SECONDS - total_start)) s)"
  exit 0
fi

# An incomplete prefix (an interrupted build) is started over.
rm -rf "$PREFIX"
BUILD="$CACHE/build-$KEY"
rm -rf "$BUILD"
mkdir -p "$BUILD" "$PREFIX"
LOG_DIR="$BUILD"
: >"$LOG_DIR/current.log"
export PATH="$PREFIX/bin:$PATH"

step "unpack binutils 2.40"
tar -xf /usr/src/binutils/binutils-*.tar.xz -C "$BUILD"
BINUTILS_SRC=$(echo "$BUILD"/binutils-*/)
step_done

step "build binutils (configure, make -j$JOBS, install)"
mkdir -p "$BUILD/binutils-build"
(
  cd "$BUILD/binutils-build"
  logged "$BINUTILS_SRC/configure" --target=$TARGET --prefix="$PREFIX" --disable-nls \
    --disable-werror --disable-gdb --disable-gdbserver --disable-sim --disable-gprofng
  logged make -j"$JOBS"
  logged make install
)
step_done

step "unpack GCC 12 and apply Debian's gcc-gfdl-build.diff"
tar -xf /usr/src/gcc-12/gcc-*.tar.xz -C "$BUILD"
GCC_SRC=$(echo "$BUILD"/gcc-*/)
# The Debian tarball has its GFDL manuals removed; without this patch the build
# stops in genhooks ("No place specified to document hook ...").
(cd "$GCC_SRC" && logged patch -p2 <"/usr/src/gcc-12/debian/patches/gcc-gfdl-build.diff")
step_done

step "build GCC (C only, libgcc; configure, make -j$JOBS, install)"
mkdir -p "$BUILD/gcc-build"
(
  cd "$BUILD/gcc-build"
  logged "$GCC_SRC/configure" --target=$TARGET --prefix="$PREFIX" --enable-languages=c \
    --without-headers --with-newlib --disable-libssp --disable-libquadmath --disable-nls \
    --disable-multilib --disable-shared --disable-threads --disable-libgomp \
    --disable-libatomic --disable-decimal-float --disable-libstdcxx
  logged make -j"$JOBS" all-gcc all-target-libgcc
  logged make install-gcc install-target-libgcc
)
step_done

step "strip and check"
# Host executables only (the target libraries keep their symbols).
find "$PREFIX/bin" "$PREFIX/libexec" -type f -perm -u+x -exec strip --strip-unneeded {} + 2>/dev/null || true
printf 'int f(int a, int b) { return a * b + 1; }\n' >"$BUILD/probe.c"
"$PREFIX/bin/$TARGET-gcc" -O2 -c "$BUILD/probe.c" -o "$BUILD/probe.o"
machine=$(od -An -tx2 -j18 -N2 "$BUILD/probe.o" | tr -d ' ')
[ "$machine" = 1223 ] || { echo "epiphany-toolchain: probe.o has e_machine 0x$machine, not 0x1223" >&2; false; }
"$PREFIX/bin/$TARGET-objdump" -d "$BUILD/probe.o" >/dev/null
step_done

rm -rf "$BUILD"
touch "$PREFIX/.complete"
echo "epiphany-toolchain: built $PREFIX in $((SECONDS - total_start)) s ($(du -sh "$PREFIX" | cut -f1))"
