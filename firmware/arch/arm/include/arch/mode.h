/* ARM processor modes and PSR bits, for assembly and C. */
#pragma once

#define MODE_USR    0x10
#define MODE_FIQ    0x11
#define MODE_IRQ    0x12
#define MODE_SVC    0x13
#define MODE_ABT    0x17
#define MODE_UND    0x1b
#define MODE_SYS    0x1f
#define MODE_MASK   0x1f

#define PSR_F       (1 << 6)
#define PSR_I       (1 << 7)
#define PSR_A       (1 << 8)

/* Why trap_fatal() was called. */
#define TRAP_UNDEF      0
#define TRAP_SVC        1
#define TRAP_PABT       2
#define TRAP_DABT       3
#define TRAP_FIQ        4
#define TRAP_IRQ        5

/* ABI values entry.S needs, which C checks against l4/abi.h (exception.c, fastpath.c). */
#define ENTRY_SYS_IPC               0
#define ENTRY_EXC_UNDEFINED         1
#define ENTRY_EXC_PREFETCH_ABORT    3
#define ENTRY_EXC_DATA_ABORT        4
/* ...and the thread's layout: its context first, then (at ENTRY_TCB_FLAGS) its flags byte, in
 * which ENTRY_TF_FOREIGN_ABI marks a foreign-ABI thread (thread.h checks both). */
#define ENTRY_TCB_CONTEXT_SIZE      68
#define ENTRY_TCB_FLAGS             75
#define ENTRY_TF_FOREIGN_ABI        0x01
