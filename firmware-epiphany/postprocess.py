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

Usage: postprocess.py IN.c OUT.c
"""
import re
import sys

ACCESSORS = r'''
#define EPY_UNALIGNED(a, n) ((a) & ((n) - 1))
/* The rare unaligned access, out of line: bytes, lowest address first. */
static __attribute__((noinline)) void epy_read_bytes(u8* dst, uintptr_t a, unsigned n) {
  for (unsigned i = 0; i < n; i++)
    dst[i] = *(volatile u8*)(a + i);
}
static __attribute__((noinline)) void epy_write_bytes(uintptr_t a, const u8* src, unsigned n) {
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
    open(dst, 'w').write(text)


main()
