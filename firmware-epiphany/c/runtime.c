/* The wasm runtime the wasm2c output links against, for the Epiphany: no
   malloc, no signals, no stdio (wabt's wasm-rt-impl.c needs all three).

   - The linear memory is based at address 0: a wasm address is an Epiphany
     address (build.sh rewrites wasm2c's load and store helpers to access
     memory directly; bounds checks are off), so the firmware reaches its
     SRAM, other cores and the DRAM window as the chip does.
   - Function types are registered in a small table, so equal signatures
     get equal ids (call_indirect compares them).
   - The funcref table comes from a fixed pool.
   - A trap stops the core with a firmware fault (no unwinding). */

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "wasm-rt.h"

#include "epiphany-glue.h"

#define MAX_FUNC_TYPES 48
#define TYPE_POOL_WORDS 320
#define MAX_TABLE 16

/* Per core: these live in the core's own SRAM (firmware.ld, RESIDENT). */
static bool initialized;
static uint32_t n_func_types;
/* Type t is type_pool[type_start[t]..]: params, results, then their types. */
static uint16_t type_start[MAX_FUNC_TYPES + 1];
static uint32_t type_pool[TYPE_POOL_WORDS];
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

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...)
{
    uint32_t n = 2 + params + results;
    uint32_t at = type_start[n_func_types];
    if (n_func_types == MAX_FUNC_TYPES || at + n > TYPE_POOL_WORDS)
        epy_fault(EPY_FAULT_RUNTIME | 1);
    uint32_t *words = &type_pool[at];
    words[0] = params;
    words[1] = results;
    va_list ap;
    va_start(ap, results);
    for (uint32_t i = 2; i < n; i++)
        words[i] = (uint32_t)va_arg(ap, int);
    va_end(ap);
    for (uint32_t t = 0; t < n_func_types; t++) {
        const uint32_t *other = &type_pool[type_start[t]];
        uint32_t len = type_start[t + 1] - type_start[t], i = 0;
        while (len == n && i < n && other[i] == words[i])
            i++;
        if (len == n && i == n)
            return t + 1;
    }
    type_start[++n_func_types] = (uint16_t)(at + n);
    return n_func_types;
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
