/* The few C library functions the firmware uses; the compiler may also call the mem* ones. */
#pragma once

#include <stdarg.h>
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);

/* A small snprintf: %s %c %d %u %x, with an optional zero-pad width (%08x).
 * Always NUL-terminates; returns the length written. */
size_t fmt(char *buf, size_t cap, const char *format, ...);
