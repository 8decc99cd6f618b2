/* The Epiphany side of the firmware: starting the wasm2c module on a core,
   the two imports it has (sleeping until the USER interrupt, stopping for
   good) and the interrupt handlers. The Rust side is src/chip.rs. */

#include <stdint.h>

#include "firmware.h"
#include "epiphany-defs.h"
#include "epiphany-glue.h"

/* Hot or interrupt-time code stays in SRAM: these are entered from the IVT
   (crt0.S), which cannot branch to DRAM. */
#define RESIDENT __attribute__((section(".text.resident")))

struct Z_epiphany_instance_t {
    uint32_t unused;
};

/* Per core, in the core's SRAM (firmware.ld, RESIDENT): the module's
   instance (globals, the table), and the USER interrupt's counter. */
static Z_firmware_instance_t instance;
static struct Z_epiphany_instance_t imports;
static volatile uint32_t doorbell;
static uint32_t seen;

/* Called by crt0 once the core runs, with the C stack set up. */
void epy_start(void)
{
    wasm_rt_init();
    Z_firmware_init_module();
    Z_firmware_instantiate(&instance, &imports);
    /* The Rust code's stack: the layout's shadow-stack region, not the
       linear-memory address rust-lld chose (its stack-first layout would
       put it over the IVT). */
    instance.w2c___stack_pointer = EPY_SHADOW_STACK_END;
    Z_firmwareZ_epython_main(&instance);
    Z_epiphanyZ_halt(&imports);
}

void Z_epiphanyZ_halt(struct Z_epiphany_instance_t *i)
{
    (void)i;
    for (;;)
        __asm__ volatile("gid\n\tidle" ::: "memory");
}

/* Sleep until the USER interrupt unless one came since the last call: the
   counter is read with interrupts off, and `gie` directly followed by
   `idle` lets no interrupt in between, so a doorbell rung while the
   firmware looked at its mailbox wakes it at once. */
void Z_epiphanyZ_wait_for_user_interrupt(struct Z_epiphany_instance_t *i)
{
    (void)i;
    __asm__ volatile("gid" ::: "memory");
    uint32_t d = doorbell;
    if (d == seen) {
        __asm__ volatile("gie\n\tidle\n\tgid" ::: "memory");
        d = doorbell;
    }
    seen = d;
    __asm__ volatile("gie" ::: "memory");
}

void epy_fault(uint32_t detail)
{
    /* The Rust side records the fault; it needs its stack, which exists
       once the module is instantiated. Before that the core just stops. */
    if (instance.w2c___stack_pointer == EPY_SHADOW_STACK_END)
        Z_firmwareZ_epython_fault(&instance, detail);
    Z_epiphanyZ_halt(&imports);
}

/* USER interrupt: the host or another core rang this core's doorbell. */
RESIDENT __attribute__((interrupt)) void epy_user_isr(void)
{
    doorbell++;
}

/* Software exception in the firmware (unaligned access, illegal or
   unimplemented instruction): report it and stop. Interrupts stay off. */
RESIDENT __attribute__((interrupt)) void epy_exception_isr(void)
{
    uint32_t status, iret;
    __asm__ volatile("movfs %0, status" : "=r"(status));
    __asm__ volatile("movfs %0, iret" : "=r"(iret));
    Z_firmwareZ_epython_exception(&instance, (status >> 16) & 0xF, iret);
    Z_epiphanyZ_halt(&imports);
}
