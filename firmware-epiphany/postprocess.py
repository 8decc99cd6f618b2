#!/usr/bin/env python3
"""Adapts wasm2c's output to the Epiphany (firmware-epiphany/build.sh):

- Loads and stores: wasm2c copies every access through memcpy from
  `memory->data + address`. The linear memory is based at address 0 (a wasm
  address is an Epiphany address), so an access becomes one volatile load or
  store of its own width when the address is aligned (the chip faults on an
  unaligned access), bytes otherwise. Volatile because the firmware's shared
  words (mailboxes, registers, other cores' SRAM) are atomics in Rust, which
  wasm32 turns into plain loads and stores: each must reach memory, once
  (design.md §8).
- The data segment (the Rust crate's read-only data) is linked in place, at
  the address rust-lld gave it (section .wasm_data, firmware.ld), instead of
  being copied there by every core at start-up.
- Hot code in SRAM: the functions in RESIDENT (measured with
  EPYTHON_ISS_PROFILE and tools/iss-profile.py) go to section .text.resident,
  in the core's own memory, where a fetch costs a cycle instead of a DRAM
  round trip. SRAM and DRAM are too far apart for a `bl`, so calls into a
  resident function, and from one to code in DRAM, are long calls (the
  long_call attribute on the callee); calls among resident functions and
  within DRAM stay short. noclone: an IPA clone would lose the attributes.

- Bit copies: the prelude's fixed-size memcpy calls (float reinterprets)
  become __builtin_memcpy, a register move (the build has -fno-builtin).
- Function types: runtime.c packs each signature into its id; the build
  fails here for one that does not fit.

Usage: postprocess.py IN.c OUT.c
"""
import re
import sys

ACCESSORS = r'''
#define EPY_UNALIGNED(a, n) ((a) & ((n) - 1))
/* The rare unaligned access, out of line: bytes, lowest address first. */
static __attribute__((noinline, long_call)) void epy_read_bytes(u8* dst, uintptr_t a, unsigned n) {
  for (unsigned i = 0; i < n; i++)
    dst[i] = *(volatile u8*)(a + i);
}
static __attribute__((noinline, long_call)) void epy_write_bytes(uintptr_t a, const u8* src, unsigned n) {
  for (unsigned i = 0; i < n; i++)
    *(volatile u8*)(a + i) = src[i];
}
/* Inlined at every access: one load or store of its width. */
#define DEFINE_LOAD(name, t1, t2, t3)                                          \
  static inline __attribute__((always_inline)) t3 name(wasm_rt_memory_t* mem, \
                                                       u64 addr) {            \
    (void)mem;                                                                 \
    uintptr_t a = (u32)addr;                                                   \
    t1 result;                                                                 \
    if (__builtin_expect(!EPY_UNALIGNED(a, sizeof(t1)), 1)) {                  \
      result = *(volatile t1*)a;                                               \
    } else if (sizeof(t1) == 8 && !EPY_UNALIGNED(a, 4)) {                      \
      /* 64 bits at a word boundary: two words (ldrd needs 8). */              \
      u32 w[2] = {*(volatile u32*)a, *(volatile u32*)(a + 4)};                 \
      __builtin_memcpy(&result, w, sizeof(t1));                                \
    } else {                                                                   \
      epy_read_bytes((u8*)&result, a, sizeof(t1));                             \
    }                                                                          \
    return (t3)(t2)result;                                                     \
  }

#define DEFINE_STORE(name, t1, t2)                                             \
  static inline __attribute__((always_inline)) void name(                     \
      wasm_rt_memory_t* mem, u64 addr, t2 value) {                             \
    (void)mem;                                                                 \
    uintptr_t a = (u32)addr;                                                   \
    t1 wrapped = (t1)value;                                                    \
    if (__builtin_expect(!EPY_UNALIGNED(a, sizeof(t1)), 1)) {                  \
      *(volatile t1*)a = wrapped;                                              \
    } else if (sizeof(t1) == 8 && !EPY_UNALIGNED(a, 4)) {                      \
      u32 w[2];                                                                \
      __builtin_memcpy(w, &wrapped, sizeof(t1));                               \
      *(volatile u32*)a = w[0];                                                \
      *(volatile u32*)(a + 4) = w[1];                                          \
    } else {                                                                   \
      epy_write_bytes(a, (const u8*)&wrapped, sizeof(t1));                     \
    }                                                                          \
  }

/* The data segments are linked at their addresses (.wasm_data). */
#define LOAD_DATA(m, o, i, s) \
  do {                        \
    (void)(m);                \
    (void)(i);                \
  } while (0)
'''

# What runs from SRAM, chosen by profiles of loops (EPYTHON_ISS_PROFILE,
# tools/iss-profile.py; BENCHMARKS.md "The memory plan"):
# - the bytecode loop and the arena accessors: with all code in DRAM,
#   vm::run took 49% of a loop's cycles and the accessors 40%;
# - then six small functions that took 81% of the cycles left in DRAM
#   (Value::to_words 24%, St::push 22%, Mem::store 19%, Shared::word 7%,
#   Shared::load 4%, check_halt 3%), the arena's set and load (a call's
#   next), and a constant's lookup (Image::const_at, Image::entry: a float
#   loop's next, once its bit copies were inlined).
# Their size counts against the resident region (firmware.ld asserts it;
# `make epiphany-size` shows what is left).
RESIDENT = [
    '2vm3run', '5arena3Mem4pair', '5arena3Mem8set_pair', '5arena3Mem10copy_value', '5arena3Mem4word',
    '5value5Value8to_words', '2vm2St4push', '5arena3Mem5store', '6shared6Shared4word', '6shared6Shared4load',
    '2vm10check_halt', '5arena3Mem3set', '5arena3Mem4load',
    '5image5Image8const_at', '5image5Image5entry',
]

FUNCTION = re.compile(r'^static (?:u32|u64|f32|f64|void) (w2c_\w+)\(', re.M)


def place_resident(text):
    """Moves the RESIDENT functions to SRAM and makes the calls that cross
    between SRAM and DRAM long calls."""
    defined = set(FUNCTION.findall(text))
    resident = set()
    for mangled in RESIDENT:
        found = [n for n in defined if re.fullmatch(r'w2c__ZN8firmware' + mangled + r'17h[0-9a-f]+E', n)]
        if len(found) != 1:
            sys.exit(f"postprocess.py: resident function {mangled}: expected one definition, found {len(found)}")
        resident.add(found[0])
    # What the resident functions call outside SRAM.
    callees = set()
    for name in resident:
        body = text[text.index(name + '(Z_firmware_instance_t* instance'):]
        body = body[:body.index('\n}\n')]
        callees |= set(re.findall(r'\b(w2c_\w+)\(instance', body)) & defined
    far = callees - resident
    attrs = {n: 'section(".text.resident"), long_call, noclone, noinline' for n in resident}
    attrs.update({n: 'long_call' for n in far})
    # Every declaration and the definition of each carries its attributes.
    def mark(m):
        a = attrs.get(m.group(1))
        return m.group(0) if a is None else m.group(0).replace('static ', f'static __attribute__(({a})) ', 1)
    return FUNCTION.sub(mark, text)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    text = open(src).read()
    # The little-endian branch of wasm2c's prelude: load_data .. DEFINE_STORE.
    start = text.index('#else\nstatic inline void load_data')
    end = text.index('#endif', start)
    text = text[:start] + '#else' + ACCESSORS + text[end:]
    # Data segments: placed by the linker where the module expects them.
    text, n = re.subn(r'static const u8 (data_segment_data_\w+)\[\] = \{',
                      r'static const u8 \1[] __attribute__((section(".wasm_data"), used, aligned(8))) = {', text)
    if n != 1:
        sys.exit(f"postprocess.py: expected one data segment, found {n}")
    text = inline_bit_copies(text)
    check_signatures(text)
    text = place_resident(text)
    open(dst, 'w').write(text)


def inline_bit_copies(text):
    """wasm2c's prelude reinterprets a float's bits with memcpy of 4 or 8
    bytes (f32_reinterpret_i32 and friends, the NaN helpers). The module is
    built with -fno-builtin (runtime.c defines memcpy), so each was a call
    to a byte loop in DRAM: a float multiply in the resident vm::run spent
    most of its cycles there. __builtin_memcpy of a constant size is a
    register move, which GCC inlines by itself."""
    text, n = re.subn(r'\bmemcpy\((&\w+), (&\w+), (sizeof\(\w+\)|4|8)\)', r'__builtin_memcpy(\1, \2, \3)', text)
    if n < 4:
        sys.exit(f"postprocess.py: expected wasm2c's reinterpret helpers to copy bits with memcpy, found {n} copies")
    return text


def check_signatures(text):
    """runtime.c packs each function type into a word: at most 13 values,
    at most one result."""
    for params, results in re.findall(r'wasm_rt_register_func_type\((\d+), (\d+)', text):
        if int(results) > 1 or int(params) + int(results) > 13:
            sys.exit(f"postprocess.py: a function type with {params} parameters and {results} results "
                     "does not fit runtime.c's packed type ids (13 values, 1 result)")


main()
