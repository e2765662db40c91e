/*
 * setpgrp COMMAND [ARG...]: run COMMAND in a process group of its own, with SIGINT's default
 * action (a shell without job control starts background commands with SIGINT ignored).  The
 * console's Ctrl-C goes to its foreground group only, so such a command outlives it.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: setpgrp COMMAND [ARG...]\n");
        return 2;
    }
    if (setpgid(0, 0) < 0) {
        perror("setpgid");
        return 1;
    }
    signal(SIGINT, SIG_DFL);
    execvp(argv[1], argv + 1);
    perror(argv[1]);
    return 127;
}
