/* A few of the chip's facilities for programs built with tools/epiphany-cc
   (e-lib's, under the names e-lib uses where there is one). */
#ifndef ISS_EPIPHANY_H
#define ISS_EPIPHANY_H

/* This core's 12-bit mesh id: row << 6 | column (absolute). */
static inline unsigned e_get_coreid(void)
{
    unsigned id;
    __asm__ volatile("movfs %0, coreid" : "=r"(id));
    return id;
}

/* The global address of `local` in core `coreid`'s memory. */
static inline void *e_get_global_address_on(unsigned coreid, const void *local)
{
    return (void *)((coreid << 20) | ((unsigned)local & 0xFFFFF));
}

#define E_SYNC 0
#define E_USER_INT 9

/* Raise interrupt `line` on core `coreid` (its ILATST register). */
static inline void e_irq_set_on(unsigned coreid, unsigned line)
{
    *(volatile unsigned *)((coreid << 20) | 0xF042C) = 1u << line;
}

/* Unmask interrupt `line` on this core. */
static inline void e_irq_unmask(unsigned line)
{
    unsigned mask;
    __asm__ volatile("movfs %0, imask" : "=r"(mask));
    mask &= ~(1u << line);
    __asm__ volatile("movts imask, %0" : : "r"(mask));
}

/* Sleep until *flag is nonzero. The flag is checked with interrupts off,
   and `gie` directly followed by `idle` lets no interrupt in between, so
   an interrupt that sets the flag is never lost. */
static inline void e_wait_nonzero(volatile unsigned *flag)
{
    for (;;) {
        __asm__ volatile("gid" ::: "memory");
        if (*flag) {
            __asm__ volatile("gie" ::: "memory");
            return;
        }
        __asm__ volatile("gie\n\tidle" ::: "memory");
    }
}

#endif
