/* Credentials as Linux changes them: root's set*id calls, the way an unprivileged process may
 * only move between the IDs it holds, a saved 0 that gives root back, supplementary groups. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *what, int result)
{
    uid_t r, e, s;
    gid_t gr, ge, gs;

    getresuid(&r, &e, &s);
    getresgid(&gr, &ge, &gs);
    printf("%-28s %-7s uid %u/%u/%u gid %u/%u/%u\n", what, result ? strerror(errno) : "ok",
           r, e, s, gr, ge, gs);
}

/* Each case in a child of its own, so it starts as root. */
#define CASE(body) do { pid_t pid = fork(); if (pid == 0) { body; _exit(0); } \
                        waitpid(pid, NULL, 0); } while (0)

int main(void)
{
    gid_t groups[8];

    show("start", 0);
    CASE(show("setuid(1000)", setuid(1000)); show("then setuid(0)", setuid(0)));
    CASE(show("seteuid(1000)", seteuid(1000)); show("then seteuid(0)", seteuid(0)));
    CASE(show("setresuid(1,2,3)", setresuid(1, 2, 3));
         show("then setresuid(3,1,2)", setresuid(3, 1, 2));
         show("then setresuid(4,-1,-1)", setresuid(4, -1, -1));
         show("then setuid(2)", setuid(2));
         show("then setuid(1)", setuid(1)));
    CASE(show("setreuid(5,6)", setreuid(5, 6));
         show("then setreuid(6,5)", setreuid(6, 5));
         show("then setreuid(-1,7)", setreuid(-1, 7)));
    CASE(show("setresgid(10,20,30)", setresgid(10, 20, 30));
         show("then setgid(40)", setgid(40));
         show("then setuid(100)", setuid(100));
         show("then setgid(10)", setgid(10));
         show("then setgid(40)", setgid(40)));
    CASE(show("setreuid(100,100)", setreuid(100, 100));
         printf("setfsuid(7) was %d\n", setfsuid(7));
         printf("setfsuid(100) was %d\n", setfsuid(100));
         printf("setfsuid(-1) now %d\n", setfsuid(-1)));
    printf("getgroups(0) %d\n", getgroups(0, NULL));
    gid_t want[3] = { 7, 8, 9 };
    printf("setgroups %d\n", setgroups(3, want));
    int n = getgroups(8, groups);
    printf("getgroups %d:", n);
    for (int i = 0; i < n; i++)
        printf(" %u", groups[i]);
    printf("\n");
    errno = 0;
    printf("getgroups(1) %d %s\n", getgroups(1, groups), strerror(errno));
    CASE(setuid(9); printf("unprivileged setgroups %d %s\n", setgroups(1, want), strerror(errno)));
    printf("setgroups(0) %d, getgroups(0) %d\n", setgroups(0, NULL), getgroups(0, NULL));
    return 0;
}
