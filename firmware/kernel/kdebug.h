/* KDebug: the one privileged system call the debug agent uses (see kdebug.c). */
#pragma once

#include "thread.h"

void kdebug_syscall(struct thread *cur);
