/* The alternate signal stack (sigaltstack): its state before and after it is set, the errors
 * (too small, a bad mode, a change while on it, bad pointers), a handler with SA_ONSTACK on it
 * and one without off it, a nested signal staying on it, SS_AUTODISARM, and fork keeping it
 * while exec drops it.  CPython's faulthandler sets one up at start. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

static char altstack[16384] __attribute__((aligned(8)));

static const char *where(const void *p)
{
    uintptr_t a = (uintptr_t)p, base = (uintptr_t)altstack;
    return a >= base && a < base + sizeof altstack ? "on the alternate stack" : "on the main stack";
}

static void show(const char *what)
{
    stack_t o;

    if (sigaltstack(NULL, &o)) {
        printf("%s: %s\n", what, strerror(errno));
        return;
    }
    printf("%s: flags %#x, size %zu, %s\n", what, (unsigned)o.ss_flags, o.ss_size,
           o.ss_sp == NULL ? "no sp" : o.ss_sp == altstack ? "sp ours" : "sp other");
}

static void try_set(const char *what, void *sp, int flags, size_t size)
{
    stack_t s = { .ss_sp = sp, .ss_flags = flags, .ss_size = size };

    printf("%s: %s\n", what, sigaltstack(&s, NULL) ? strerror(errno) : "ok");
}

static int depth;

static void handler(int sig, siginfo_t *info, void *context)
{
    ucontext_t *uc = context;
    int local;

    (void)info;
    printf("  signal %d: local %s; saved stack flags %#x, size %zu\n", sig, where(&local),
           (unsigned)uc->uc_stack.ss_flags, uc->uc_stack.ss_size);
    show("  in the handler");
    if (depth++ == 0 && sig == SIGUSR1) {
        try_set("  changing it there", altstack, 0, sizeof altstack);
        raise(SIGUSR2);                         /* nested: stays where it is */
    }
}

static void catch(int sig, int flags)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER | flags;
    sigaction(sig, &sa, NULL);
}

int main(int argc, char **argv)
{
    if (argc > 1) {                             /* after exec */
        show("after exec");
        return 0;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    show("at start");
    try_set("too small", altstack, 0, 1024);
    try_set("bad mode", altstack, 4, sizeof altstack);
    printf("bad new pointer: %s\n", sigaltstack((stack_t *)8, NULL) ? strerror(errno) : "ok");
    try_set("set", altstack, 0, sizeof altstack);
    show("after set");
    printf("bad old pointer: %s\n", sigaltstack(NULL, (stack_t *)8) ? strerror(errno) : "ok");

    catch(SIGUSR1, SA_ONSTACK);
    catch(SIGUSR2, SA_ONSTACK);
    catch(SIGHUP, 0);
    printf("SIGUSR1 with SA_ONSTACK, SIGUSR2 nested in it:\n");
    raise(SIGUSR1);
    show("after the handlers");
    printf("SIGHUP without SA_ONSTACK:\n");
    raise(SIGHUP);

    pid_t pid = fork();
    if (pid == 0) {
        show("in a forked child");
        execl("/proc/self/exe", "sig_altstack", "exec", (char *)NULL);
        return 1;
    }
    waitpid(pid, NULL, 0);

    try_set("disable", NULL, SS_DISABLE, 0);
    show("after disable");
    try_set("set with SS_AUTODISARM", altstack, SS_AUTODISARM, sizeof altstack);
    show("after that");
    depth = 1;
    printf("SIGUSR2 with SA_ONSTACK:\n");
    raise(SIGUSR2);
    show("after the handler");
    try_set("SS_ONSTACK as the mode", altstack, SS_ONSTACK, sizeof altstack);
    show("after that");
    return 0;
}
