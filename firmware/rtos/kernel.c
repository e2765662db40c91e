/*
 * The kernel calls of the task layer (osKernel*), time, the delays, and the one way into the
 * server (rtos_call).
 *
 * Time is the virtual counter, read in user mode without a system call.  The tick (1 kHz) is
 * derived from it: tick n begins when the counter reaches ceil(n * hz / 1000), so a tick
 * deadline is an exact counter value and periodic releases never drift.  There is no tick
 * interrupt.
 */
#include "internal.h"

uint32_t rtos_first_number;
l4_tid_t rtos_server_tid;
uint32_t rtos_counter_hz;
static osKernelState_t kernel_state;

uint32_t rtos_call(uint32_t op, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t *second)
{
    struct l4_msg m = { { L4_TAG(op, 4, 0), a, b, c, d } };

    if (l4_call(rtos_server_tid, &m))
        return (uint32_t)osError;           /* no server: osKernelInitialize() not called */
    if (second)
        *second = m.mr[2];
    return m.mr[1];
}

/* ---- kernel ------------------------------------------------------------------------------------ */

/* The module's image, as user/link.ld.S lays it out: text from _start, bss up to __image_end. */
extern const char _start[], __image_end[];

/* Fault in every page of the module's image (its pager maps each one read-write-execute on the
 * first touch), so no task ever stops on a page fault for code or data. */
static void image_fault_in(void)
{
    for (uint32_t a = (uint32_t)_start & ~(L4_PAGE_SIZE - 1); a < (uint32_t)__image_end; a += L4_PAGE_SIZE)
        (void)*(volatile const uint32_t *)a;
}

osStatus_t osKernelInitialize(void)
{
    uint32_t n = L4_TID_NUMBER(l4_myself());

    if (kernel_state != osKernelInactive)
        return osOK;
    image_fault_in();
    rtos_first_number = n - (n - L4_FIRST_THREAD) % L4_MODULE_THREADS;
    rtos_counter_hz = l4_counter_hz();
    if (rtos_server_start()) {
        kernel_state = osKernelError;
        return osError;
    }
    kernel_state = osKernelRunning;
    rtos_timer_task_start();
    return osOK;
}

osStatus_t osKernelGetInfo(osVersion_t *version, char *id_buf, uint32_t id_size)
{
    static const char id[] = "L4 modem RTOS";

    if (version) {
        version->api = 20010003u;           /* CMSIS-RTOS2 API 2.1.3 */
        version->kernel = 10000000u;
    }
    if (id_buf && id_size) {
        uint32_t n = id_size - 1 < sizeof id - 1 ? id_size - 1 : sizeof id - 1;
        memcpy(id_buf, id, n);
        id_buf[n] = 0;
    }
    return osOK;
}

osKernelState_t osKernelGetState(void)
{
    return kernel_state;
}

osStatus_t osKernelStart(void)
{
    return kernel_state == osKernelRunning ? osOK : osError;
}

/* ---- time --------------------------------------------------------------------------------------- */

uint64_t rtos_systimer(void)
{
    return l4_vcounter();
}

uint64_t rtos_ticks_to_counts(uint64_t ticks)
{
    uint64_t hz = rtos_counter_hz;

    return ticks / RTOS_TICK_HZ * hz + (ticks % RTOS_TICK_HZ * hz + RTOS_TICK_HZ - 1) / RTOS_TICK_HZ;
}

uint64_t rtos_counts_to_ticks(uint64_t counts)
{
    uint64_t hz = rtos_counter_hz;

    return counts / hz * RTOS_TICK_HZ + counts % hz * RTOS_TICK_HZ / hz;
}

uint64_t rtos_deadline(uint32_t timeout)
{
    if (timeout == osWaitForever)
        return 0;
    return rtos_systimer() + rtos_ticks_to_counts(timeout);
}

uint32_t osKernelGetTickCount(void)
{
    return (uint32_t)rtos_counts_to_ticks(rtos_systimer());
}

uint32_t osKernelGetTickFreq(void)
{
    return RTOS_TICK_HZ;
}

uint32_t osKernelGetSysTimerCount(void)
{
    return (uint32_t)rtos_systimer();
}

uint32_t osKernelGetSysTimerFreq(void)
{
    return l4_counter_hz();
}

/* ---- delays -------------------------------------------------------------------------------------- */

static osStatus_t sleep_until(uint64_t count)
{
    return (osStatus_t)rtos_call(RTOS_OP_SLEEP, (uint32_t)count, (uint32_t)(count >> 32), 0, 0, NULL);
}

osStatus_t osDelay(uint32_t ticks)
{
    if (ticks == 0)
        return osOK;
    return sleep_until(rtos_systimer() + rtos_ticks_to_counts(ticks));
}

osStatus_t osDelayUntil(uint32_t ticks)
{
    uint64_t now = rtos_counts_to_ticks(rtos_systimer());
    int32_t ahead = (int32_t)(ticks - (uint32_t)now);

    if (ahead <= 0)
        return osErrorParameter;            /* that tick has begun already */
    return sleep_until(rtos_ticks_to_counts(now + (uint32_t)ahead));
}

osStatus_t osDelayUntilSysTimer(uint64_t count)
{
    if (rtos_systimer() >= count)
        return osErrorParameter;
    return sleep_until(count);
}

/* The server's side: a sleep is a block on no queue with the deadline asked. */
int rtos_op_sleep(struct rtos_thread *caller, struct l4_msg *m)
{
    uint64_t deadline = (uint64_t)m->mr[2] << 32 | m->mr[1];

    if (deadline <= rtos_systimer()) {
        m->mr[1] = osOK;
        return RTOS_ANSWER;
    }
    rtos_block(caller, RTOS_WAIT_SLEEP, NULL, deadline, osOK);
    return RTOS_BLOCKED;
}
