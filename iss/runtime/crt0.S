/* Start-up code for programs run on the simulated (or real) Epiphany by the
   ISS's tests and `epython device run`: the interrupt vector table at 0,
   the reset path that leaves the SYNC interrupt, sets the stack, clears
   .bss and calls main, and a software-exception handler that reports the
   fault to the host.

   Host calls are traps (ARCH-NOTES §1): the core halts, the host services
   the call and resumes it after the trap.
     trap 3   exit, r0 = status
     trap 5   failure: r0 = EXCAUSE, r1 = IRET (from the exception handler)
     trap 7   system call, r3 = number (5 = write: r0 fd, r1 buffer, r2 length);
              result in r0, errno in r3 */

        .section .ivt, "ax"
        .global _ivt
_ivt:
        b.l     _reset                  /* 0x00 SYNC (reset) */
        b.l     _exception              /* 0x04 software exception */
        b.l     _unexpected             /* 0x08 memory fault */
        b.l     _unexpected             /* 0x0c TIMER0 */
        b.l     _unexpected             /* 0x10 TIMER1 */
        b.l     _unexpected             /* 0x14 MESSAGE */
        b.l     _unexpected             /* 0x18 DMA0 */
        b.l     _unexpected             /* 0x1c DMA1 */
        b.l     _unexpected             /* 0x20 WAND */
        b.l     _user_isr               /* 0x24 USER */

        .section .boot, "ax"
        /* Global, so the IVT's branches relocate against the symbols:
           binutils 2.40 doubles the addend of a branch to a local symbol
           in another section (a branch to .boot+0x4c lands at +0x98). */
        .global _reset, _exception, _unexpected
        .balign 4
_reset:
        mov     sp, %low(___stack_top)
        movt    sp, %high(___stack_top)
        mov     fp, 0
        /* Leave the SYNC "interrupt" the core was started with. */
        mov     r0, %low(1f)
        movt    r0, %high(1f)
        movts   iret, r0
        rti
1:
        /* Unmask the software exception, so a fault reaches _exception
           (the loader leaves only SYNC unmasked). */
        movfs   r0, imask
        mov     r1, 2
        orr     r0, r0, r1
        eor     r0, r0, r1
        movts   imask, r0
        /* Zero .bss (it may live in DRAM, which no loader clears). */
        mov     r0, %low(___bss_start)
        movt    r0, %high(___bss_start)
        mov     r1, %low(___bss_end)
        movt    r1, %high(___bss_end)
        mov     r2, 0
2:      sub     r3, r0, r1
        beq     3f
        strb    r2, [r0], 1
        b       2b
3:
        mov     r0, 0
        mov     r1, 0
        mov     r2, 0
        mov     r3, %low(_main)
        movt    r3, %high(_main)
        jalr    r3
        /* exit(main's value) */
        trap    3
4:      idle
        b       4b

/* A software exception: report the cause and the address after the
   faulting instruction, and never return. */
_exception:
        movfs   r0, status
        lsr     r0, r0, 16
        mov     r2, 15
        and     r0, r0, r2
        movfs   r1, iret
        trap    5
        b       _exception

_unexpected:
        movfs   r0, ipend
        mov     r1, 0
        trap    5
        b       _unexpected

/* USER interrupt: a program that wants it defines
       void __attribute__((interrupt)) user_isr(void) { ... }
   (GCC saves what it uses and returns with rti); without one the
   interrupt is acknowledged and ignored. */
        .weak   _user_isr
_user_isr:
        rti
