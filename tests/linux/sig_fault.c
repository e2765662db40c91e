/* A fault's siginfo, as a handler with SA_SIGINFO gets it: SIGSEGV with SEGV_MAPERR and the
 * address for a page no mapping covers, SEGV_ACCERR for a write to a read-only mapping and
 * for a read of a PROT_NONE one, SIGILL with ILL_ILLOPC and the instruction's address for an
 * undefined instruction; the handler leaves by siglongjmp. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static sigjmp_buf back;
static siginfo_t caught;

static void handler(int sig, siginfo_t *si, void *context)
{
    (void)sig;
    (void)context;
    caught = *si;
    siglongjmp(back, 1);
}

static const char *code_name(int sig, int code)
{
    if (sig == SIGSEGV)
        return code == SEGV_MAPERR ? "SEGV_MAPERR" : code == SEGV_ACCERR ? "SEGV_ACCERR" : "other";
    if (sig == SIGILL)
        return code == ILL_ILLOPC ? "ILL_ILLOPC" : "other";
    return "other";
}

static void show(const char *what, const void *addr)
{
    printf("%s: %s, %s, si_addr %s\n", what, strsignal(caught.si_signo),
           code_name(caught.si_signo, caught.si_code),
           caught.si_addr == addr ? "the address" : "other");
}

extern char undefined_insn[];

int main(void)
{
    struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO | SA_NODEFER };
    volatile char *p;

    setvbuf(stdout, NULL, _IONBF, 0);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);

    p = (volatile char *)0x123;
    if (!sigsetjmp(back, 1))
        *p = 1;
    show("write to 0x123", (void *)p);
    p = (volatile char *)0x50000010;
    if (!sigsetjmp(back, 1))
        (void)*p;
    show("read of an unmapped page", (void *)p);

    char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!sigsetjmp(back, 1))
        ((volatile char *)ro)[100] = 1;
    show("write to a read-only page", ro + 100);
    char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!sigsetjmp(back, 1))
        (void)((volatile char *)none)[8];
    show("read of a PROT_NONE page", none + 8);

    if (!sigsetjmp(back, 1))
        __asm__ volatile(".globl undefined_insn\nundefined_insn: udf #0\n");
    show("undefined instruction", undefined_insn);
    return 0;
}
