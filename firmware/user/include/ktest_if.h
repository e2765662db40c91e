/*
 * How debugd asks ktest (the on-target test and benchmark server) to work.  Requests are IPC
 * calls with one of these labels; names, texts, samples and registers travel through a shared
 * window of KTEST_SHARED_SIZE bytes that ktest maps into debugd at KTEST_SHARED_ADDR when
 * debugd sends KTEST_CONNECT.
 */
#pragma once

#include <stdint.h>

#define KTEST_SHARED_ADDR   0x20000000u
#define KTEST_SHARED_LOG2   13
#define KTEST_SHARED_SIZE   (1u << KTEST_SHARED_LOG2)

enum ktest_label {
    KTEST_CONNECT = 0x7400,     /* reply maps the shared window */
    KTEST_LIST = 0x7401,        /* MR1 start index; reply MR1 next (0xffff: done), MR2 bytes */
    KTEST_RUN = 0x7402,         /* name in the window; reply MR1 status, MR2 value, MR3 cycles,
                                 * text in the window */
    KTEST_BENCH = 0x7403,       /* MR1 iterations | BENCH flags << 16, name in the window;
                                 * reply MR1 status,
                                 * MR2 overhead, MR3 sample count, samples in the window */
    KTEST_SYSCALL = 0x7404,     /* window: 13 registers then the timeout in microseconds;
                                 * reply MR1 status, MR2 cycles, registers in the window */
};

#define KTEST_MAX_SAMPLES   1000u
