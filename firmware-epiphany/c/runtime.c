/* The wasm runtime the wasm2c output links against, for the Epiphany: no
   malloc, no signals, no stdio (wabt's wasm-rt-impl.c needs all three).

   - The linear memory is based at address 0: a wasm address is an Epiphany
     address (build.sh rewrites wasm2c's load and store helpers to access
     memory directly; bounds checks are off), so the firmware reaches its
     SRAM, other cores and the DRAM window as the chip does.
   - A function type's id is its signature, packed into a word (no table:
     equal signatures get equal ids, which is what call_indirect compares).
   - The funcref table comes from a fixed pool.
   - A trap stops the core with a firmware fault (no unwinding). */

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "wasm-rt.h"

#include "epiphany-glue.h"

/* The firmware's funcref table has 6 entries (wasm2c's
   wasm_rt_allocate_funcref_table call); a bigger one faults at boot. */
#define MAX_TABLE 8

/* Per core: these live in the core's own SRAM (firmware.ld, RESIDENT). */
static bool initialized;
static wasm_rt_funcref_t table_pool[MAX_TABLE];

void wasm_rt_init(void)
{
    initialized = true;
}

bool wasm_rt_is_initialized(void)
{
    return initialized;
}

void wasm_rt_free(void)
{
}

void wasm_rt_trap(wasm_rt_trap_t code)
{
    epy_fault(EPY_FAULT_WASM_TRAP | (uint32_t)code);
}

/* A signature as its id: bit 31 set (the null funcref's type is 0), the
   parameter count in bits 27-30, the result count in bit 26, and each
   value's type in two bits from bit 0 (parameters, then the result). Only
   the four numeric types fit; postprocess.py fails the build for a
   signature that does not (more than 13 values, or 2 results), and one
   with a reference type faults here. */
uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...)
{
    uint32_t n = params + results;
    if (params > 15 || results > 1 || n > 13)
        epy_fault(EPY_FAULT_RUNTIME | 1);
    uint32_t id = 0x80000000u | params << 27 | results << 26;
    va_list ap;
    va_start(ap, results);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t type = (uint32_t)va_arg(ap, int);
        if (type > WASM_RT_F64)
            epy_fault(EPY_FAULT_RUNTIME | 2);
        id |= type << (2 * i);
    }
    va_end(ap);
    return id;
}

void wasm_rt_allocate_memory(wasm_rt_memory_t *memory, uint32_t initial_pages, uint32_t max_pages)
{
    /* Address 0 is SRAM address 0: the whole 32-bit space is the memory. */
    memory->data = 0;
    memory->pages = initial_pages;
    memory->max_pages = max_pages;
    memory->size = 0xFFFFFFFFu;
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t *memory, uint32_t delta)
{
    (void)memory;
    (void)delta;
    return 0xFFFFFFFFu; /* memory.grow fails: the firmware allocates nothing */
}

void wasm_rt_free_memory(wasm_rt_memory_t *memory)
{
    (void)memory;
}

void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t *table, uint32_t elements, uint32_t max_elements)
{
    if (elements > MAX_TABLE)
        epy_fault(EPY_FAULT_RUNTIME | 3);
    for (uint32_t i = 0; i < elements; i++)
        table_pool[i] = wasm_rt_funcref_null_value;
    table->data = table_pool;
    table->size = elements;
    table->max_size = max_elements;
}

void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t *table)
{
    (void)table;
}

/* memcpy and friends for wasm2c's bulk-memory helpers and GCC. Byte loops,
   built with -fno-tree-loop-distribute-patterns so GCC does not turn them
   back into calls to themselves. */
void *memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if ((((uintptr_t)d | (uintptr_t)s | n) & 3) == 0) {
        for (size_t i = 0; i < n; i += 4)
            *(uint32_t *)(d + i) = *(const uint32_t *)(s + i);
        return dst;
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d <= s || d >= s + n)
        return memcpy(dst, src, n);
    while (n--)
        d[n] = s[n];
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    while (n--)
        *d++ = (uint8_t)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

void abort(void)
{
    epy_fault(EPY_FAULT_RUNTIME | 4);
}
