/* Between the C glue files (runtime.c, platform.c). */
#ifndef EPY_GLUE_H
#define EPY_GLUE_H
#include <stdint.h>

/* Fault codes for epy_fault: FAULT_DETAIL's top byte says where. */
#define EPY_FAULT_WASM_TRAP 0x40000000u /* | wasm_rt_trap_t */
#define EPY_FAULT_RUNTIME 0x41000000u   /* | which limit of runtime.c */

/* Stops the core with a firmware fault (FAULT_DETAIL = detail). */
void epy_fault(uint32_t detail) __attribute__((noreturn));
#endif
