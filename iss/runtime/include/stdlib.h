#ifndef ISS_STDLIB_H
#define ISS_STDLIB_H
#include <stddef.h>
void exit(int status) __attribute__((noreturn));
void abort(void) __attribute__((noreturn));
#endif
