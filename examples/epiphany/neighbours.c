/* Every core of the E16 writes its mesh id into its east neighbour's SRAM
   (wrapping around the row), raises the neighbour's USER interrupt, and
   sleeps in `idle` until its own west neighbour has done the same to it.
   Exits with the low 6 bits of the id it received (its west neighbour's
   column). */
#include <epiphany.h>
#include <stdio.h>

/* In .data, not .bss: the loader writes it before any core starts, and a
   neighbour may write it before this core's start-up code would clear .bss. */
volatile unsigned inbox __attribute__((section(".data"))) = 0;
volatile unsigned interrupts;

void __attribute__((interrupt)) user_isr(void)
{
    interrupts++;
}

int main(void)
{
    unsigned id = e_get_coreid();
    unsigned row = id >> 6, col = id & 63;
    unsigned east = (row << 6) | (8 + (col - 8 + 1) % 4);
    e_irq_unmask(E_USER_INT);
    *(volatile unsigned *)e_get_global_address_on(east, (const void *)&inbox) = id;
    e_irq_set_on(east, E_USER_INT);
    e_wait_nonzero(&interrupts);
    e_wait_nonzero(&inbox);
    printf("core 0x%x: 0x%x wrote to me, %u interrupt(s)\n", id, inbox, interrupts);
    return (int)(inbox & 63);
}
