/* User faults and exceptions as IPC (see exception.c). */
#pragma once

#include <stdint.h>

#include "kstate.h"
#include "thread.h"

/* Send exception `kind` of `t` (current) to its exception handler, or stop `t`. */
void exception_raise(struct thread *t, uint32_t kind, uint32_t fsr, uint32_t far);

