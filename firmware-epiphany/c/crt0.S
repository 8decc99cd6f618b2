/* Start-up code of the Epiphany firmware: the IVT, the firmware header at
   CODE_START (mailbox::firmware_header; the loader checks it), and the
   reset path: C stack, leave the SYNC interrupt, clear .bss, unmask the
   USER interrupt and the software exception, enter epy_start (in DRAM:
   reached through a register, out of branch range). */

#include "epiphany-defs.h"

        .section .ivt, "ax"
        .global _fw_ivt
_fw_ivt:
        b.l     _fw_reset               /* 0x00 SYNC */
        b.l     _fw_exception           /* 0x04 software exception */
        b.l     _fw_unexpected          /* 0x08 memory fault */
        b.l     _fw_unexpected          /* 0x0c TIMER0 */
        b.l     _fw_unexpected          /* 0x10 TIMER1 */
        b.l     _fw_unexpected          /* 0x14 MESSAGE */
        b.l     _fw_unexpected          /* 0x18 DMA0 */
        b.l     _fw_unexpected          /* 0x1c DMA1 */
        b.l     _fw_unexpected          /* 0x20 WAND */
        b.l     _fw_user                /* 0x24 USER */

        .section .fw_header, "a"
        .word   EPY_FW_MAGIC
        .word   EPY_FW_PROTOCOL
        .word   EPY_FW_KIND
        .word   EPY_FW_BUILD_ID
        .word   __image_len
        .word   __dram_code_offset
        .word   __dram_code_len
        .word   0

        /* Global: binutils 2.40 doubles the addend of a branch to a local
           symbol in another section (iss/runtime/crt0.S says more). */
        .section .text.resident, "ax"
        .global _fw_reset, _fw_exception, _fw_user, _fw_unexpected
        .balign 4
_fw_reset:
        mov     sp, %low(EPY_C_STACK_END)
        movt    sp, %high(EPY_C_STACK_END)
        mov     fp, 0
        mov     r0, %low(1f)
        movt    r0, %high(1f)
        movts   iret, r0
        rti
1:
        mov     r0, %low(__bss_start)
        movt    r0, %high(__bss_start)
        mov     r1, %low(__bss_end)
        movt    r1, %high(__bss_end)
        mov     r2, 0
2:      sub     r3, r0, r1
        beq     3f
        strb    r2, [r0], 1
        b       2b
3:
        /* Unmask the software exception (1) and USER (9). */
        movfs   r0, imask
        mov     r1, %low(0x202)
        orr     r0, r0, r1
        eor     r0, r0, r1
        movts   imask, r0
        mov     r3, %low(_epy_start)
        movt    r3, %high(_epy_start)
        jalr    r3
4:      gid
        idle
        b       4b

_fw_exception:
        b.l     _epy_exception_isr

_fw_user:
        b.l     _epy_user_isr

/* An interrupt the firmware never enables: stop. */
_fw_unexpected:
        gid
        idle
        b       _fw_unexpected
