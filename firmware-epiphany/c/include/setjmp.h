/* wasm-rt.h names jmp_buf in declarations the firmware never uses: traps
   stop the core (runtime.c), nothing unwinds. */
#ifndef EPY_SETJMP_H
#define EPY_SETJMP_H
typedef int jmp_buf[1];
#define setjmp(b) 0
#endif
