/*
 * The modem's real-time task layer: CMSIS-RTOS2 (cmsis_os2.h) on L4 threads, and the layer's
 * own extensions, declared here.
 *
 * Tasks are L4 threads of the modem's space.  One server thread (L4 priority RTOS_SERVER_PRIO,
 * above every task) holds all of the layer's state; a call that may block is an IPC call to it,
 * answered when the condition holds or the deadline passes.  Deadlines are absolute values of
 * the virtual counter (CNTVCT), kept by the user timer on BOARD_IRQ_VTIMER, which the server
 * owns.  docs/rtos.md describes the design.
 *
 * Priorities: a task's CMSIS priority selects its L4 priority, monotonically, distinct for every
 * value from osPriorityNormal up (where a protocol stack's tasks live):
 *
 *     osPriorityIdle                      161
 *     osPriorityLow .. Low3               162      osPriorityLow4 .. Low7               163
 *     osPriorityBelowNormal .. 3          164      osPriorityBelowNormal4 .. 7          165
 *     osPriorityNormal + i   (i = 0..7)   166 + i
 *     osPriorityAboveNormal + i           174 + i
 *     osPriorityHigh + i                  182 + i
 *     osPriorityRealtime + i              190 + i     (Realtime7: 197)
 *
 * The server runs at 198; the modem's main thread stays at its module priority (160), below
 * every task; Linux's threads (50..80) are below all of them.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cmsis_os2.h"

#define RTOS_SERVER_PRIO        198u
#define RTOS_TASK_PRIO_MIN      161u
#define RTOS_TASK_PRIO_MAX      197u

#define RTOS_TICK_HZ            1000u   /* osKernelGetTickFreq */
#define RTOS_MAX_TASKS          24u     /* the timer task included */
#define RTOS_STACK_SIZE         8192u   /* a block of the stack pool (osThreadAttr_t.stack_mem
                                         * gives a task any other size) */
/* Software timers' callbacks run in the timer task, at this priority. */
#define RTOS_TIMER_PRIORITY     osPriorityHigh

/* The L4 priority a CMSIS priority maps to (the table above); 0 for one tasks cannot have. */
uint32_t rtos_l4_priority(osPriority_t priority);

/* The whole virtual counter: what the user timer compares against, at osKernelGetSysTimerFreq. */
uint64_t rtos_systimer(void);

/* The cycle counter when the server last took the user timer's interrupt, read first thing:
 * the end of the interrupt-to-handler benchmark (`rtos.irquser`). */
extern volatile uint32_t rtos_timer_arrived;

/*
 * Sleep until the virtual counter reaches `count` (a value of rtos_systimer()).  The server
 * arms the user timer for it and answers at its interrupt: the wake-up is prompt, not rounded to
 * a tick.  osOK after sleeping; osErrorParameter (at once) when the counter had already reached
 * `count` when called, so a periodic caller learns it is late.
 */
osStatus_t osDelayUntilSysTimer(uint64_t count);

/*
 * Interrupt line `irq` (attached by the server) sets `flags` on `task` each time it fires.
 * The line stays masked at the interrupt controller from the interrupt until `task` waits
 * again (osThreadFlagsWait) for any of `flags` with none of them pending: i.e. once it has
 * taken the notification and come back for the next one, having serviced the device.  So a
 * level-triggered device cannot interrupt again before its task has handled it.
 * osErrorParameter for a bad line or task or no flags; osErrorResource when the line belongs
 * to another thread.
 */
osStatus_t rtos_irq_attach(uint32_t irq, osThreadId_t task, uint32_t flags);
osStatus_t rtos_irq_detach(uint32_t irq);

/*
 * Priority inheritance for mutexes created from now on with osMutexPrioInherit (on by default).
 * Off, such a mutex behaves as one without the attribute: the way to show what inheritance
 * prevents.  Returns the previous setting.
 */
bool rtos_set_priority_inheritance(bool on);

/*
 * For tests only (the negative control of the isolation proof): on, every task runs
 * RTOS_DEMOTION L4 priorities lower (161..197 -> 11..47), below every Linux thread (50..80),
 * so that a busy Linux must make the modem miss its deadlines; the server keeps its priority,
 * and so does `spared` (NULL: none), e.g. the task that talks to the test harness.  Returns
 * the previous setting.
 */
#define RTOS_DEMOTION           150u
bool rtos_set_below_linux(bool on, osThreadId_t spared);

/* The L4 priority `thread` runs at now: its own, or one it inherits through mutexes. */
uint32_t rtos_thread_l4_priority(osThreadId_t thread);

/* The L4 thread ID of a task (or of the main thread), for tests and debugging. */
uint32_t rtos_thread_tid(osThreadId_t thread);

/* Bytes a message queue's memory (osMessageQueueAttr_t.mq_mem) needs. */
#define RTOS_MQ_MEM_SIZE(count, size)   ((count) * (8u + (((size) + 3u) & ~3u)))
