/* Hello from each core: `tools/epiphany-cc -O2 -o hello.elf examples/epiphany/hello.c`,
   then `EPYTHON_DEVICE=sim:isa epython device run hello.elf -c 0,5,15`.
   Exits with the core's number in the 4x4 group (row * 4 + column). */
#include <epiphany.h>
#include <stdio.h>

int main(void)
{
    unsigned id = e_get_coreid();
    unsigned row = (id >> 6) - 32, col = (id & 63) - 8;
    printf("hello from core %u (mesh id 0x%x, row %u, column %u)\n", row * 4 + col, id, row, col);
    return (int)(row * 4 + col);
}
