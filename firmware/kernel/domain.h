/*
 * Domains: what a group of address spaces may do, set by the root task.
 *
 * Every space belongs to one domain; a space made by ThreadControl belongs to the domain of the
 * thread number it is made for.  Domain 0 (the root domain) holds sigma0 and the root task and
 * may do anything; the root task configures the others with SpaceControl(L4_SC_DOMAIN) before
 * it starts a server in each.  For each domain:
 *  - its thread numbers, a range no other domain's overlaps: its threads create, name and
 *    control only threads numbered in it (a thread ID names its domain, and cannot be forged);
 *  - reach: the domains its threads may send IPC to.  A thread waiting in a closed receive for
 *    a sender accepts that sender whatever its reach (a reply needs no right), and messages the
 *    kernel sends for a thread (faults, exceptions) go where a checked ThreadControl pointed;
 *  - the highest priority its threads may be given;
 *  - rights: L4_DR_DEBUG (KDebug's inspection, injection and reset), L4_DR_CONFIG (root only);
 *  - kernel memory: a pool of its own, reserved when first configured, from which its page
 *    tables, UTCBs, mapping nodes and floating-point contexts come;
 *  - the most spaces it may have.
 * Which domain may attach each interrupt line is kept by irq.c.
 */
#pragma once

#include <stdint.h>

#include "kmem.h"
#include "l4/abi.h"

struct domain {
    uint32_t reach;                     /* bit d: may send to domain d */
    uint16_t tid_first, tid_end;        /* thread numbers [first, end) */
    uint8_t max_prio;
    uint8_t rights;                     /* L4_DR_* */
    uint8_t configured;
    uint16_t spaces, max_spaces;
    struct kmem_pool pool;
    struct kmem_pool *mem;              /* &pool, or the boot pool for the root domain */
};

extern struct domain domains[L4_MAX_DOMAINS];

void domain_init(void);
/* The domain whose range holds thread number `number`: the root domain if none does. */
struct domain *domain_of_number(uint32_t number);

static inline unsigned domain_index(const struct domain *d)
{
    return (unsigned)(d - domains);
}

/* Whether domain `d` may send IPC to (and so name as a pager, exception handler or scheduler)
 * the thread numbered `number`. */
static inline int domain_reaches(const struct domain *d, uint32_t number)
{
    return (d->reach >> domain_index(domain_of_number(number))) & 1;
}

static inline int domain_may(const struct domain *d, uint32_t right)
{
    return (d->rights & right) != 0;
}

/* Free kernel memory in every pool, for statistics. */
uint32_t domain_kmem_free(void);

struct thread;
/* SpaceControl's domain operations, by a thread of the root domain. */
void domain_configure(struct thread *cur);
