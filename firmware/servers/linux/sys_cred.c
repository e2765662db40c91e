/*
 * Credentials: real, effective, saved and file-system user and group IDs and the supplementary
 * groups, with Linux's rules for changing them (kernel/sys.c).  The privilege that lets a
 * process set any ID (CAP_SETUID, CAP_SETGID) is held while its effective user ID is 0, as
 * root's capabilities are on Linux; it is lost with the last ID that is 0 and comes back through
 * a saved 0.  Everyone starts as root.
 */
#include "syscalls.h"

#define KEEP        0xffffffffu         /* -1: leave this ID as it is */

static int privileged(const struct proc *p)
{
    return p->leader->cred.euid == 0;
}

int cred_may_schedule(const struct proc *p, const struct proc *t)
{
    const struct cred *c = &p->leader->cred, *tc = &t->leader->cred;

    return privileged(p) || c->euid == tc->uid || c->euid == tc->euid;
}

/* Whether an unprivileged process may take `id`: it must already hold it as one of its three. */
static int held(uint32_t id, const uint32_t ids[3])
{
    return id == KEEP || id == ids[0] || id == ids[1] || id == ids[2];
}

/* setresuid and setresgid: ids[0..2] are the real, effective and saved IDs, ids[3] the
 * file-system one, which follows the effective. */
static int set_res(struct proc *p, uint32_t *ids, uint32_t r, uint32_t e, uint32_t s)
{
    if (!privileged(p) && !(held(r, ids) && held(e, ids) && held(s, ids)))
        return -EPERM;
    if (r != KEEP)
        ids[0] = r;
    if (e != KEEP)
        ids[1] = e;
    if (s != KEEP)
        ids[2] = s;
    ids[3] = ids[1];
    return 0;
}

/* setreuid and setregid: the saved ID becomes the new effective one when the real ID is set, or
 * the effective one is set to something other than the old real ID. */
static int set_re(struct proc *p, uint32_t *ids, uint32_t r, uint32_t e)
{
    uint32_t old_real = ids[0];

    if (!privileged(p) && ((r != KEEP && r != ids[0] && r != ids[1]) || !held(e, ids)))
        return -EPERM;
    if (r != KEEP)
        ids[0] = r;
    if (e != KEEP)
        ids[1] = e;
    if (r != KEEP || (e != KEEP && e != old_real))
        ids[2] = ids[1];
    ids[3] = ids[1];
    return 0;
}

/* setuid and setgid: the privileged set all three; anyone else only the effective ID, to the
 * real or the saved one. */
static int set_one(struct proc *p, uint32_t *ids, uint32_t id)
{
    if (id == KEEP)
        return -EINVAL;
    if (privileged(p)) {
        ids[0] = ids[1] = ids[2] = ids[3] = id;
        return 0;
    }
    if (id != ids[0] && id != ids[2])
        return -EPERM;
    ids[1] = ids[3] = id;
    return 0;
}

/* setfsuid and setfsgid answer the old value, whether they change it or not. */
static uint32_t set_fs(struct proc *p, uint32_t *ids, uint32_t id)
{
    uint32_t old = ids[3];

    if (privileged(p) || id == ids[0] || id == ids[1] || id == ids[2] || id == ids[3])
        ids[3] = id;
    return old;
}

static int get_res(struct proc *p, const uint32_t *ids, uint32_t *r)
{
    for (unsigned i = 0; i < 3; i++)
        if (mm_copy_out(p->mm, p->tid, r[i], &ids[i], 4))
            RET(-EFAULT);
    RET(0);
}

int sys_getuid32(struct proc *p, uint32_t *r)  { RET(p->leader->cred.uid); }
int sys_geteuid32(struct proc *p, uint32_t *r) { RET(p->leader->cred.euid); }
int sys_getgid32(struct proc *p, uint32_t *r)  { RET(p->leader->cred.gid); }
int sys_getegid32(struct proc *p, uint32_t *r) { RET(p->leader->cred.egid); }

int sys_setuid32(struct proc *p, uint32_t *r)    { RET(set_one(p, &p->leader->cred.uid, r[0])); }
int sys_setgid32(struct proc *p, uint32_t *r)    { RET(set_one(p, &p->leader->cred.gid, r[0])); }
int sys_setreuid32(struct proc *p, uint32_t *r)  { RET(set_re(p, &p->leader->cred.uid, r[0], r[1])); }
int sys_setregid32(struct proc *p, uint32_t *r)  { RET(set_re(p, &p->leader->cred.gid, r[0], r[1])); }
int sys_setresuid32(struct proc *p, uint32_t *r) { RET(set_res(p, &p->leader->cred.uid, r[0], r[1], r[2])); }
int sys_setresgid32(struct proc *p, uint32_t *r) { RET(set_res(p, &p->leader->cred.gid, r[0], r[1], r[2])); }
int sys_getresuid32(struct proc *p, uint32_t *r) { return get_res(p, &p->leader->cred.uid, r); }
int sys_getresgid32(struct proc *p, uint32_t *r) { return get_res(p, &p->leader->cred.gid, r); }
int sys_setfsuid32(struct proc *p, uint32_t *r)  { RET(set_fs(p, &p->leader->cred.uid, r[0])); }
int sys_setfsgid32(struct proc *p, uint32_t *r)  { RET(set_fs(p, &p->leader->cred.gid, r[0])); }

/* getgroups(size, list): the count when size is 0; EINVAL when the list is too small. */
int sys_getgroups32(struct proc *p, uint32_t *r)
{
    uint32_t n = p->leader->cred.ngroups;

    if ((int32_t)r[0] < 0)
        RET(-EINVAL);
    if (r[0] == 0)
        RET(n);
    if (r[0] < n)
        RET(-EINVAL);
    RET(n && mm_copy_out(p->mm, p->tid, r[1], p->leader->cred.groups, n * 4) ? -EFAULT : (int)n);
}

int sys_setgroups32(struct proc *p, uint32_t *r)
{
    uint32_t groups[NGROUPS];

    if (!privileged(p))
        RET(-EPERM);
    if (r[0] > NGROUPS)
        RET(-EINVAL);
    if (r[0] && mm_copy_in(p->mm, p->tid, groups, r[1], r[0] * 4))
        RET(-EFAULT);
    memcpy(p->leader->cred.groups, groups, r[0] * 4);
    p->leader->cred.ngroups = r[0];
    RET(0);
}
