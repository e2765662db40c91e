/*
 * Software timers (the requests come with a later change): what the server needs of them.
 */
#include "internal.h"

uint64_t rtos_timers_next(void)
{
    return 0;
}

void rtos_timers_expire(uint64_t now)
{
    (void)now;
}

void rtos_timer_task_start(void)
{
}
