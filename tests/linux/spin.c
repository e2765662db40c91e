/*
 * spin [handler]: compute for ever without a system call.  With `handler`, SIGUSR1 first gets a
 * handler that says so and exits 3, and "ready" goes to stdout once it is in place.  A signal
 * must reach a process that never enters the kernel (or, on L4, the Linux server) by itself.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void caught(int sig)
{
    static const char text[] = "caught SIGUSR1 while spinning\n";
    (void)sig;
    write(1, text, sizeof text - 1);
    _exit(3);
}

int main(int argc, char **argv)
{
    volatile unsigned long n = 0;

    if (argc > 1 && strcmp(argv[1], "handler") == 0) {
        signal(SIGUSR1, caught);
        printf("ready\n");
        fflush(stdout);
    }
    for (;;)
        n++;
}
