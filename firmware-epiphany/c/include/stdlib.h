#ifndef EPY_STDLIB_H
#define EPY_STDLIB_H
#include <stddef.h>
void abort(void) __attribute__((noreturn));
#endif
