/* The masked-path profile (see profile.h). */
#include "profile.h"

#ifdef CONFIG_MASKED_PROFILE
struct masked_profile masked_profile = { .kind = PROFILE_KINDS };    /* boot is not a stretch */

void profile_point(unsigned line)
{
    struct masked_profile *p = &masked_profile;
    uint32_t now = cycles_now(), took = now - p->entry;
    uint32_t here = line << 20 | ((uint32_t)__builtin_return_address(0) & 0xfffffu);


    if (p->kind < PROFILE_KINDS && took > p->longest[p->kind]) {
        p->longest[p->kind] = took;
        p->longest_tid[p->kind] = p->tid;
        p->longest_from[p->kind] = p->from;
        p->longest_to[p->kind] = here;
    }
    p->from = here;
    p->entry = cycles_now();
}

/* From return_to_user: the stretch since the entry (or the last preemption point) ends here. */
void profile_leave(void);
void profile_leave(void)
{
    masked_profile.entries++;
    profile_point(0);
}
#endif
