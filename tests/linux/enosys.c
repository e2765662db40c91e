/*
 * enosys NUMBER [TIMES]: make system call NUMBER (no arguments) TIMES times and say what each
 * returned.  The Linux server answers a call it does not implement with -ENOSYS and counts it;
 * tests/target/test_linux.py checks both.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: enosys NUMBER [TIMES]\n");
        return 2;
    }
    long number = strtol(argv[1], NULL, 0);
    int times = argc > 2 ? atoi(argv[2]) : 1;

    for (int i = 0; i < times; i++) {
        errno = 0;
        long r = syscall(number, 0, 0, 0);
        printf("syscall %ld: %ld (%s)\n", number, r, r < 0 ? strerror(errno) : "ok");
    }
    return 0;
}
