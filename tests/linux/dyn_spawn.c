/* posix_spawn and vfork, as glibc does them: clone(CLONE_VM | CLONE_VFORK) and vfork, whose child
 * runs in the parent's memory until it execs or exits while the parent waits.  An exec that
 * fails is reported through that shared memory (posix_spawn's error), file actions and
 * attributes act in the child alone, and what a vfork child writes before _exit is seen by the
 * parent, as on Linux. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void reap(const char *what, pid_t pid)
{
    int status;

    if (waitpid(pid, &status, 0) != pid)
        printf("%s: waitpid: %s\n", what, strerror(errno));
    else if (WIFEXITED(status))
        printf("%s: exit %d\n", what, WEXITSTATUS(status));
    else
        printf("%s: signal %d\n", what, WTERMSIG(status));
}

static void spawn(const char *what, const char *path, char *const argv[], const posix_spawn_file_actions_t *fa,
                  const posix_spawnattr_t *at, int search)
{
    pid_t pid;
    int err;

    fflush(stdout);
    err = search ? posix_spawnp(&pid, path, fa, at, argv, environ) : posix_spawn(&pid, path, fa, at, argv, environ);
    if (err)
        printf("%s: %s\n", what, strerror(err));
    else
        reap(what, pid);
}

int main(void)
{
    char *echo[] = { "echo", "spawned echo", NULL };
    char *sh_out[] = { "sh", "-c", "echo to the file; echo error >&2", NULL };
    char *sh_mask[] = { "sh", "-c", "grep -E '^SigBlk' /proc/self/status; kill -USR1 $$; echo after", NULL };
    char *sh_pgrp[] = { "sh", "-c", "test $(cut -d' ' -f5 /proc/self/stat) = $$ && echo own group", NULL };
    char *falsy[] = { "false", NULL };
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t set;

    spawn("echo", "/bin/echo", echo, NULL, NULL, 0);
    spawn("echo by PATH", "echo", echo, NULL, NULL, 1);
    spawn("false", "/bin/false", falsy, NULL, NULL, 0);
    spawn("missing", "/bin/no-such-program", echo, NULL, NULL, 0);
    spawn("missing by PATH", "no-such-program", echo, NULL, NULL, 1);
    spawn("not executable", "/tests/dyn_spawn.sh", echo, NULL, NULL, 0);

    /* file actions: stdout to a new file, stderr onto it, a descriptor closed */
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/tmp/spawned", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawn_file_actions_addclose(&fa, 0);
    spawn("redirected", "/bin/sh", sh_out, &fa, NULL, 0);
    posix_spawn_file_actions_destroy(&fa);
    int fd = open("/tmp/spawned", O_RDONLY);
    char buf[64] = { 0 };
    printf("the file: %.*s", (int)read(fd, buf, sizeof buf - 1), buf);
    close(fd);
    /* a file action that fails: its error is posix_spawn's */
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 3, "/no/such/dir/file", O_RDONLY, 0);
    spawn("bad file action", "/bin/echo", echo, &fa, NULL, 0);
    posix_spawn_file_actions_destroy(&fa);

    /* attributes: a signal mask and default actions for the child; its own process group */
    signal(SIGUSR2, SIG_IGN);
    posix_spawnattr_init(&at);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    posix_spawnattr_setsigmask(&at, &set);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    posix_spawnattr_setsigdefault(&at, &set);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    spawn("masked", "/bin/sh", sh_mask, NULL, &at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&at, 0);
    spawn("process group", "/bin/sh", sh_pgrp, NULL, &at, 0);
    posix_spawnattr_destroy(&at);

    /* vfork: the child writes the parent's memory, then exits or execs */
    volatile int shared = 1;
    fflush(stdout);
    pid_t pid = vfork();
    if (pid == 0) {
        shared = 42;
        _exit(7);
    }
    printf("vfork child wrote %d\n", shared);
    reap("vfork exit", pid);
    pid = vfork();
    if (pid == 0) {
        execl("/bin/echo", "echo", "vfork exec", (char *)NULL);
        _exit(127);
    }
    reap("vfork exec", pid);
    pid = vfork();
    if (pid == 0) {
        execl("/bin/no-such-program", "x", (char *)NULL);
        shared = errno;
        _exit(127);
    }
    printf("vfork exec failed: %s\n", strerror(shared));
    reap("vfork failed exec", pid);

    /* many in a row, each reaped: nothing leaks */
    int ok = 0;
    for (int i = 0; i < 200; i++) {
        char *t[] = { "true", NULL };
        int status;
        if (posix_spawn(&pid, "/bin/true", NULL, NULL, t, environ) == 0 && waitpid(pid, &status, 0) == pid &&
            status == 0)
            ok++;
    }
    printf("200 spawns: %d ok\n", ok);
    return 0;
}
