/* Domains (see domain.h). */
#include "domain.h"
#include "space.h"
#include "thread.h"

struct domain domains[L4_MAX_DOMAINS];

void domain_init(void)
{
    struct domain *root = &domains[L4_ROOT_DOMAIN];

    root->reach = ~0u;
    root->tid_first = L4_FIRST_THREAD;
    root->tid_end = L4_FIRST_THREAD + MAX_THREADS;
    root->max_prio = 255;
    root->rights = L4_DR_DEBUG | L4_DR_CONFIG;
    root->max_spaces = MAX_SPACES;
    root->configured = 1;
    root->mem = &kmem_boot;
}

struct domain *domain_of_number(uint32_t number)
{
    for (unsigned i = 1; i < L4_MAX_DOMAINS; i++)
        if (domains[i].configured && number - domains[i].tid_first <
            (uint32_t)(domains[i].tid_end - domains[i].tid_first))
            return &domains[i];
    return &domains[L4_ROOT_DOMAIN];
}

uint32_t domain_kmem_free(void)
{
    uint32_t n = kmem_boot.free_bytes;

    for (unsigned i = 1; i < L4_MAX_DOMAINS; i++)
        if (domains[i].mem)
            n += domains[i].pool.free_bytes;
    return n;
}

/* r1 domain, r2 first thread number, r3 count, r4 reach, r5 highest priority, r6 rights,
 * r8 kernel memory bytes (KEEP: unchanged), r9 most spaces. */
void domain_configure(struct thread *cur)
{
    uint32_t *r = cur->ctx.r;
    uint32_t index = r[1], first = r[2], count = r[3];
    struct domain *d;

    if (index == L4_ROOT_DOMAIN || index >= L4_MAX_DOMAINS || first < L4_FIRST_THREAD ||
        count == 0 || count > MAX_THREADS || first - L4_FIRST_THREAD > MAX_THREADS - count ||
        r[5] > 255 || (r[6] & ~L4_DR_DEBUG) || r[9] > MAX_SPACES) {
        r[1] = L4_ERR_INVALID_ARGUMENT;
        return;
    }
    d = &domains[index];
    /* ranges never overlap: a thread number names one domain */
    for (unsigned i = 1; i < L4_MAX_DOMAINS; i++)
        if (i != index && domains[i].configured && first < domains[i].tid_end &&
            domains[i].tid_first < first + count) {
            r[1] = L4_ERR_BUSY;
            return;
        }
    /* the range may not take threads that live in another domain's spaces */
    for (uint32_t n = first; n < first + count; n++) {
        const struct thread *t = &kernel.threads[n - L4_FIRST_THREAD];
        if (t->state != TS_FREE && t->space->domain != d) {
            r[1] = L4_ERR_BUSY;
            return;
        }
    }
    if (r[8] != L4_TC_KEEP) {
        if (d->mem) {                   /* reserved once: a pool cannot shrink under its objects */
            r[1] = L4_ERR_BUSY;
            return;
        }
        if (kmem_pool_carve(&d->pool, r[8])) {
            r[1] = L4_ERR_NO_MEMORY;
            return;
        }
        d->mem = &d->pool;
    }
    d->tid_first = (uint16_t)first;
    d->tid_end = (uint16_t)(first + count);
    d->reach = r[4] | 1u << index;      /* a domain always reaches itself */
    d->max_prio = (uint8_t)r[5];
    d->rights = (uint8_t)r[6];
    d->max_spaces = (uint16_t)r[9];
    d->configured = 1;
    for (unsigned i = 0; i < MAX_SPACES; i++)
        if (spaces[i].in_use && spaces[i].domain == d)
            spaces[i].reach = d->reach;
    r[1] = L4_OK;
}
