/* The runtime's stdio: output only (libc.c). */
#ifndef ISS_STDIO_H
#define ISS_STDIO_H
#include <stdarg.h>
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int putchar(int c);
int puts(const char *s);
#endif
