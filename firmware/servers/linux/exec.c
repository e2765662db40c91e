/*
 * execve's two halves that do not depend on how a program's bytes are found: the interpreter
 * line of a script ("#!"), and the argument and environment strings, which go from the old
 * program's memory to the new program's stack directly, the way Linux copies them, so their size
 * is bounded by Linux's limits (ARG_MAX, MAX_ARG_STRLEN) and not by a buffer of the server's.
 *
 * The initial stack, as the Linux kernel builds it (from the top): the program's path
 * (AT_EXECFN), the platform string, the argument and environment strings in order, 16 random
 * bytes, then argc, argv[], NULL, envp[], NULL and the auxiliary vector at the stack pointer.
 */
#include "syscalls.h"

#define STACK_TOP       0x7d000000u
#define STACK_SIZE      (8u << 20)

/* Linux's limits: a quarter of the default 8 MiB stack for all strings and their pointers, and
 * 32 pages for one string (terminator included). */
#define ARG_MAX_BYTES   (2u << 20)
#define MAX_ARG_STRLEN  (32u * PAGE)
/* Interpreters after the first: Linux gives up after this many with ELOOP. */
#define MAX_INTERPRETERS 4

/* The i-th string of the new argv (prefix first, then the caller's from `skip` on) or envp:
 * either a server string (*k) or a process address (*u); -EFAULT when the vector is bad. */
static int arg_at(const struct exec_args *a, int env, uint32_t i, const char **k, uint32_t *u)
{
    *k = NULL;
    *u = 0;
    if (!env && i < a->nprefix) {
        *k = a->prefix[i];
        return 0;
    }
    if (!env)
        i = i - a->nprefix + a->skip;
    if (!a->from) {
        char *const *vec = env ? a->kenvp : a->kargv;
        *k = vec ? vec[i] : NULL;
        return 0;
    }
    uint32_t vec = env ? a->envp : a->argv;
    if (!vec)
        return 0;                               /* a NULL vector holds no strings */
    return mm_copy_in(a->from->mm, a->from->tid, u, vec + 4 * i, 4) ? -EFAULT : 0;
}

/* The length of the process's string at `addr` (without its NUL); -E2BIG past `max` bytes with
 * it, -EFAULT for a bad address.  Read in pieces that end at page ends, never past the NUL. */
static int user_strlen(struct proc *p, uint32_t addr, uint32_t max)
{
    char buf[256];
    uint32_t len = 0;

    for (;;) {
        uint32_t at = addr + len, n = PAGE - at % PAGE;
        if (n > sizeof buf)
            n = sizeof buf;
        if (mm_copy_in(p->mm, p->tid, buf, at, n))
            return -EFAULT;
        uint32_t k = strnlen(buf, n);
        len += k;
        if (len + 1 > max)
            return -E2BIG;
        if (k < n)
            return (int)len;                    /* its NUL is in this piece */
    }
}

/* Count and measure the strings: 0, -EFAULT, or -E2BIG beyond Linux's limits. */
static int measure(struct exec_args *a)
{
    uint64_t total = 0;

    for (int env = 0; env < 2; env++) {
        uint32_t count = 0;
        for (uint32_t i = 0;; i++) {
            const char *k;
            uint32_t u;
            int len;
            if (arg_at(a, env, i, &k, &u))
                return -EFAULT;
            if (!k && !u)
                break;
            len = k ? (int)strnlen(k, MAX_ARG_STRLEN) : user_strlen(a->from, u, MAX_ARG_STRLEN);
            if (len < 0)
                return len;
            if ((uint32_t)len + 1 > MAX_ARG_STRLEN)
                return -E2BIG;
            total += (uint32_t)len + 1 + 4;     /* the string and its pointer */
            if (total > ARG_MAX_BYTES)
                return -E2BIG;
            count++;
        }
        if (env)
            a->envc = count;
        else
            a->argc = count;
    }
    a->bytes = (uint32_t)total - 4 * (a->argc + a->envc);
    return 0;
}

int exec_args_init(struct exec_args *a, struct proc *from, uint32_t argv, uint32_t envp)
{
    memset(a, 0, sizeof *a);
    a->from = from;
    a->argv = argv;
    a->envp = envp;
    return measure(a);
}

int exec_args_kernel(struct exec_args *a, char *const argv[], char *const envp[])
{
    memset(a, 0, sizeof *a);
    a->kargv = argv;
    a->kenvp = envp;
    return measure(a);
}

/* Keep `s` (n bytes) in the arguments' own store; NULL when it is full. */
static const char *keep(struct exec_args *a, const char *s, uint32_t n)
{
    char *at = a->store + a->stored;

    if (a->stored + n + 1 > sizeof a->store)
        return NULL;
    memcpy(at, s, n);
    at[n] = 0;
    a->stored += n + 1;
    return at;
}


/* `name` made absolute against `cwd` into `out` (MAX_PATH bytes); the file system's lookup
 * takes "." and ".." as they come.  -1 when too long. */
static int absolute(const char *cwd, const char *name, char *out)
{
    size_t c = name[0] == '/' ? 0 : strnlen(cwd, MAX_PATH), n = strnlen(name, MAX_PATH);

    if (c + 1 + n + 1 > MAX_PATH)
        return -1;
    memcpy(out, cwd, c);
    if (c)
        out[c++] = '/';
    memcpy(out + c, name, n + 1);
    return 0;
}
/*
 * The "#!" line, as Linux's binfmt_script reads it: the first 256 bytes, the interpreter up to
 * the first blank, and the rest of the line (blanks around it removed) as one optional argument.
 * The new arguments are the interpreter, that argument, the script's path as the caller gave it
 * (`given`), then the old ones without their first.  1 (`given` is now the interpreter's as
 * written, `path` that made absolute against `cwd`), 0 (not a script), or -errno.
 */
int exec_interpreter(struct exec_args *a, char *path, const char *cwd, char *given,
                     const uint8_t *head, uint32_t n)
{
    char line[256];
    uint32_t i = 2, len = 0;
    const char *interp, *arg = NULL, *script;

    if (n < 2 || head[0] != '#' || head[1] != '!')
        return 0;
    if (a->depth++ == MAX_INTERPRETERS)
        return -ELOOP;
    if (n > sizeof line)
        n = sizeof line;
    while (i < n && head[i] != '\n')
        line[len++] = (char)head[i++];
    while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    line[len] = 0;
    char *c = line;
    while (*c == ' ' || *c == '\t')
        c++;
    char *name = c;
    while (*c && *c != ' ' && *c != '\t')
        c++;
    if (c == name)
        return -ENOEXEC;                        /* "#!" and nothing after it */
    uint32_t name_len = (uint32_t)(c - name);
    while (*c == ' ' || *c == '\t')
        c++;
    if (name_len >= MAX_PATH)
        return -ENAMETOOLONG;
    interp = keep(a, name, name_len);
    if (*c)
        arg = keep(a, c, strnlen(c, sizeof line));
    script = keep(a, given, strnlen(given, MAX_PATH - 1));
    if (!interp || (*c && !arg) || !script || a->nprefix + 3 > sizeof a->prefix / sizeof a->prefix[0])
        return -ENOEXEC;

    /* the old argv[0] goes (whichever list holds it), the new three come first */
    const char *old[sizeof a->prefix / sizeof a->prefix[0]];
    uint32_t nold = a->nprefix, first_old = 0;
    memcpy(old, a->prefix, sizeof old);
    if (nold)
        first_old = 1;
    else if (a->argc)
        a->skip++;
    a->nprefix = 0;
    a->prefix[a->nprefix++] = interp;
    if (arg)
        a->prefix[a->nprefix++] = arg;
    a->prefix[a->nprefix++] = script;
    for (uint32_t k = first_old; k < nold; k++)
        a->prefix[a->nprefix++] = old[k];
    memcpy(given, name, name_len);
    given[name_len] = 0;
    if (absolute(cwd, given, path))
        return -ENAMETOOLONG;
    int err = measure(a);
    return err ? err : 1;
}

/* Copy one string (len bytes with its NUL) to the new stack at `dst`. */
static int put_string(struct mm *mm, const struct exec_args *a, const char *k, uint32_t u,
                      uint32_t dst, uint32_t len)
{
    char buf[512];

    if (k)
        return mm_copy_out(mm, L4_NILTHREAD, dst, k, len);
    for (uint32_t done = 0; done < len; ) {
        uint32_t n = len - done < sizeof buf ? len - done : sizeof buf;
        if (mm_copy_in(a->from->mm, a->from->tid, buf, u + done, n) ||
            mm_copy_out(mm, L4_NILTHREAD, dst + done, buf, n))
            return -1;
        done += n;
    }
    return 0;
}

/* Auxiliary vector types */
#define AT_NULL     0
#define AT_PHDR     3
#define AT_PHENT    4
#define AT_PHNUM    5
#define AT_PAGESZ   6
#define AT_BASE     7
#define AT_FLAGS    8
#define AT_ENTRY    9
#define AT_UID      11
#define AT_EUID     12
#define AT_GID      13
#define AT_EGID     14
#define AT_PLATFORM 15
#define AT_HWCAP    16
#define AT_CLKTCK   17
#define AT_SECURE   23
#define AT_RANDOM   25
#define AT_HWCAP2   26
#define AT_EXECFN   31

/* What Linux reports for this CPU (AT_HWCAP): swp, half, thumb, fast mult, vfp, edsp, neon,
 * vfpv3, tls, vfpv4, idiva, idivt, lpae. */
#define HWCAP_ARM   0x0007b8d7u

uint32_t exec_stack(struct mm *mm, struct proc *p, const struct exec_info *info, const char *path,
                    const struct exec_args *a)
{
    uint32_t sp = STACK_TOP, platform_at, execfn_at, random_at, strings, at;
    uint32_t aux[40], naux = 0;

    if (mm_add(mm, STACK_TOP - STACK_SIZE, STACK_TOP, VM_READ | VM_WRITE))
        return 0;
    uint32_t path_len = strnlen(path, MAX_PATH - 1) + 1;
    sp -= path_len;
    execfn_at = sp;
    if (mm_copy_out(mm, L4_NILTHREAD, sp, path, path_len))
        return 0;
    sp -= 4;
    platform_at = sp;
    if (mm_copy_out(mm, L4_NILTHREAD, sp, "v7l", 4))
        return 0;
    sp -= a->bytes;
    strings = sp;
    /* 16 bytes of randomness for the C library's stack protector and pointer guard */
    uint32_t rnd[4] = { l4_cycles() * 2654435761u, (uint32_t)now_us() ^ 0x9e3779b9u,
                        l4_cycles() ^ 0x85ebca6bu, 0xc2b2ae35u + a->argc };
    sp = (sp - 16) & ~15u;
    random_at = sp;
    if (mm_copy_out(mm, L4_NILTHREAD, sp, rnd, 16))
        return 0;

#define AUX(type, value) do { aux[naux++] = (type); aux[naux++] = (value); } while (0)
    AUX(AT_PHDR, info->phdr);
    AUX(AT_PHENT, info->phent);
    AUX(AT_PHNUM, info->phnum);
    AUX(AT_PAGESZ, PAGE);
    AUX(AT_BASE, info->base);
    AUX(AT_FLAGS, 0);
    AUX(AT_ENTRY, info->entry);
    AUX(AT_UID, 0);
    AUX(AT_EUID, 0);
    AUX(AT_GID, 0);
    AUX(AT_EGID, 0);
    AUX(AT_HWCAP, HWCAP_ARM);
    AUX(AT_HWCAP2, 0);
    AUX(AT_CLKTCK, 100);
    AUX(AT_SECURE, 0);
    AUX(AT_RANDOM, random_at);
    AUX(AT_PLATFORM, platform_at);
    AUX(AT_EXECFN, execfn_at);
    AUX(AT_NULL, 0);
#undef AUX
    /* argc, argv[], NULL, envp[], NULL, then the auxiliary vector */
    uint32_t words = 1 + a->argc + 1 + a->envc + 1 + naux;
    sp = (sp - words * 4) & ~7u;
    if (mm_copy_out(mm, L4_NILTHREAD, sp, &a->argc, 4))
        return 0;
    at = strings;
    uint32_t slot = sp + 4, zero = 0;
    for (int env = 0; env < 2; env++) {
        uint32_t count = env ? a->envc : a->argc;
        for (uint32_t i = 0; i < count; i++) {
            const char *k;
            uint32_t u;
            int len;
            if (arg_at(a, env, i, &k, &u))
                return 0;
            len = k ? (int)strnlen(k, MAX_ARG_STRLEN) : user_strlen(a->from, u, MAX_ARG_STRLEN);
            if (len < 0 || at + (uint32_t)len + 1 > platform_at)
                return 0;                       /* changed since it was measured */
            if (put_string(mm, a, k, u, at, (uint32_t)len + 1) ||
                mm_copy_out(mm, L4_NILTHREAD, slot, &at, 4))
                return 0;
            at += (uint32_t)len + 1;
            slot += 4;
        }
        if (mm_copy_out(mm, L4_NILTHREAD, slot, &zero, 4))
            return 0;
        slot += 4;
    }
    if (mm_copy_out(mm, L4_NILTHREAD, slot, aux, naux * 4))
        return 0;
    /* /proc/PID/cmdline: the argument strings, as many whole ones as fit */
    if (p) {
        uint32_t n = 0;
        char cmd[sizeof p->leader->cmdline];
        mm_copy_in(mm, L4_NILTHREAD, cmd, strings, a->bytes < sizeof cmd ? a->bytes : sizeof cmd);
        for (uint32_t i = 0; i < a->argc && n < sizeof cmd; i++) {
            uint32_t len = strnlen(cmd + n, sizeof cmd - n) + 1;
            if (n + len > sizeof cmd)
                break;
            n += len;
        }
        memcpy(p->leader->cmdline, cmd, n);
        p->leader->cmdline_len = n;
    }
    return sp;
}
