/*
 * Mutexes (the requests come with the next change): what the thread code needs of them.
 */
#include "internal.h"

void rtos_mutex_waiter_left(struct rtos_waitq *q)
{
    rtos_prio_update(((struct rtos_mutex *)q)->owner);
}

void rtos_mutex_release_all(struct rtos_thread *t)
{
    t->owned = NULL;
}
