/* A small freestanding C library for programs on the simulated Epiphany:
   printf (%d %i %u %x %X %s %c %p %%, flags '-' '0', a width, 'l' and
   'll'), putchar, puts, the mem* and str* functions the tests use, and
   exit/abort. Output goes to the host through `trap 7` (write), buffered
   per line. Compiled with -fno-builtin -fno-tree-loop-distribute-patterns
   so GCC does not turn the loops back into calls to themselves. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "stdio.h"
#include "stdlib.h"
#include "string.h"

#define SYS_WRITE 5

static int sys_write(int fd, const char *buf, int len)
{
    register int r0 __asm__("r0") = fd;
    register const char *r1 __asm__("r1") = buf;
    register int r2 __asm__("r2") = len;
    register int r3 __asm__("r3") = SYS_WRITE;
    __asm__ volatile("trap 7" : "+r"(r0), "+r"(r3) : "r"(r1), "r"(r2) : "memory");
    return r0;
}

static char out_buf[128];
static int out_len;

static void flush(void)
{
    if (out_len > 0)
        sys_write(1, out_buf, out_len);
    out_len = 0;
}

int putchar(int c)
{
    out_buf[out_len++] = (char)c;
    if (c == '\n' || out_len == (int)sizeof out_buf)
        flush();
    return (unsigned char)c;
}

int puts(const char *s)
{
    while (*s)
        putchar(*s++);
    putchar('\n');
    return 0;
}

void exit(int status)
{
    flush();
    register int r0 __asm__("r0") = status;
    __asm__ volatile("trap 3" : : "r"(r0) : "memory");
    for (;;)
        __asm__ volatile("idle");
}

void abort(void)
{
    exit(134);
}

void __assert_fail(const char *expr, const char *file, int line)
{
    printf("%s:%d: assertion failed: %s\n", file, line, expr);
    abort();
}

static void pad(int n, char c)
{
    while (n-- > 0)
        putchar(c);
}

/* Digits of v in base 10 or 16, most significant first. */
static int digits(char *buf, unsigned long long v, unsigned base, int upper)
{
    const char *d = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = d[v % base];
        v /= base;
    } while (v);
    for (int i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

int vprintf(const char *fmt, va_list ap)
{
    int count = 0;
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            putchar(*fmt);
            count++;
            continue;
        }
        fmt++;
        int left = 0, zero = 0, width = 0, longs = 0;
        for (;; fmt++) {
            if (*fmt == '-')
                left = 1;
            else if (*fmt == '0')
                zero = 1;
            else
                break;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l') {
            longs++;
            fmt++;
        }
        char buf[24];
        const char *s = buf;
        int n = 0, neg = 0;
        switch (*fmt) {
        case 'd':
        case 'i': {
            long long v = longs >= 2 ? va_arg(ap, long long) : longs ? va_arg(ap, long) : va_arg(ap, int);
            unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
            neg = v < 0;
            n = digits(buf, u, 10, 0);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            unsigned long long u = longs >= 2 ? va_arg(ap, unsigned long long)
                                   : longs    ? va_arg(ap, unsigned long)
                                              : va_arg(ap, unsigned);
            n = digits(buf, u, *fmt == 'u' ? 10 : 16, *fmt == 'X');
            break;
        }
        case 'p':
            buf[0] = '0';
            buf[1] = 'x';
            n = 2 + digits(buf + 2, (uintptr_t)va_arg(ap, void *), 16, 0);
            break;
        case 'c':
            buf[0] = (char)va_arg(ap, int);
            n = 1;
            break;
        case 's':
            s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            n = (int)strlen(s);
            break;
        case '%':
            buf[0] = '%';
            n = 1;
            break;
        default:
            return -1;
        }
        int len = n + neg;
        if (!left && !zero)
            pad(width - len, ' ');
        if (neg)
            putchar('-');
        if (!left && zero)
            pad(width - len, '0');
        for (int i = 0; i < n; i++)
            putchar(s[i]);
        if (left)
            pad(width - len, ' ');
        count += len > width ? len : width;
    }
    return count;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s) {
        while (n--)
            *d++ = *s++;
    } else {
        while (n--)
            d[n] = s[n];
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

char *strcpy(char *dst, const char *src)
{
    char *d = dst;
    while ((*d++ = *src++))
        ;
    return dst;
}
