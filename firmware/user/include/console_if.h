/*
 * The Linux console's channel through debugd.  The Linux server writes console output to debugd
 * (CONSOLE_LABEL_WRITE: MR1 = byte count, the bytes from MR2 on), which passes it to the host
 * as CONSOLE frames; debugd passes the host's CONSOLE_IN bytes and SHELL commands to the server
 * the same way, and the server tells debugd when a process the host started has ended.
 */
#pragma once

#define CONSOLE_LABEL_WRITE     0x7500u     /* server -> debugd: output */
#define CONSOLE_LABEL_INPUT     0x7501u     /* debugd -> server: input; reply MR1 = bytes taken */
#define LINUX_LABEL_RUN         0x7502u     /* debugd -> server: a shell command (empty:
                                             * interactive); reply MR1 = pid or -errno */
#define LINUX_LABEL_EXITED      0x7503u     /* server -> debugd: MR1 pid, MR2 wait status */
#define LINUX_LABEL_STATS       0x7504u     /* debugd -> server: counters; reply: */
#define LINUX_STATS_WORDS       6u          /* MR1 processes | zombies << 16, MR2 frames free,
                                             * MR3 frames in all, MR4 system calls, MR5 page
                                             * faults, MR6 OOM kills; then (number, count) pairs
                                             * of the unknown system calls */
#define LINUX_LABEL_SIGNAL      0x7505u     /* debugd -> server: MR1 the pid of a shell the host
                                             * started, MR2 a signal (SIGHUP: hang its session
                                             * up); reply MR1 = processes signalled or -errno */
#define LINUX_LABEL_LOG         0x7506u     /* server -> debugd: a line for the host's log (as
                                             * CONSOLE_LABEL_WRITE, at most CONSOLE_MAX_WRITE) */
#define CONSOLE_MAX_WRITE       240u        /* bytes per message: 60 words after MR1 */

/* The Linux server's threads, by thread number after its first (the module's) thread: that one
 * is the exception thread; then the pager, then the interrupt thread, which takes debugd's
 * requests above; the processes' threads follow. */
#define LINUX_THREAD_PAGER      1u
#define LINUX_THREAD_INTERRUPT  2u
#define LINUX_FIRST_PROCESS     3u
