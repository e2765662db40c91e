/* System call dispatch (see syscall.c). */
#pragma once

#include <stdint.h>

#include "l4/abi.h"

void syscall_slowpath(uint32_t number) __attribute__((noreturn));
void syscall_init(void);

/* Calls per number; the last entry counts numbers that do not exist. */
extern uint32_t syscall_counts[L4_SYS_COUNT + 1];
