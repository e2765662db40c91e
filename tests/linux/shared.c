/*
 * Anonymous shared memory across fork: MAP_SHARED | MAP_ANONYMOUS pages are the same memory in
 * parent and child (pages touched before the fork and pages first touched after it), while
 * MAP_PRIVATE ones are copied on write; a counter two processes take turns on with
 * sched_yield; rights and unmapping stay each process's own.
 */
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 500

static sigjmp_buf back;

static void segv(int sig)
{
    (void)sig;
    siglongjmp(back, 1);
}

static int child_status(pid_t pid)
{
    int status;

    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(void)
{
    long page = sysconf(_SC_PAGESIZE);
    volatile char *shared = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    volatile char *private = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    pid_t pid;

    setvbuf(stdout, NULL, _IONBF, 0);
    if (shared == MAP_FAILED || private == MAP_FAILED) {
        printf("mmap failed\n");
        return 1;
    }
    printf("fresh shared page reads zero: %d\n", shared[page] == 0 && shared[2 * page + 100] == 0);
    strcpy((char *)shared, "parent");
    strcpy((char *)private, "parent");

    /* the child writes a page the parent touched and one nobody touched before the fork */
    pid = fork();
    if (pid == 0) {
        strcpy((char *)shared, "child");
        strcpy((char *)shared + page, "child, second page");
        strcpy((char *)private, "child");
        _exit(0);
    }
    printf("child exit %d\n", child_status(pid));
    printf("shared, first page: %s\n", (char *)shared);
    printf("shared, second page: %s\n", (char *)shared + page);
    printf("private: %s\n", (char *)private);

    /* the parent writes after the fork; the child sees it */
    pid = fork();
    if (pid == 0) {
        while (shared[2 * page] != 'g')
            sched_yield();
        _exit(strcmp((char *)shared + 2 * page, "go") == 0 ? 7 : 1);
    }
    strcpy((char *)shared + 2 * page + 1, "o");
    shared[2 * page] = 'g';
    printf("child saw the parent's write: exit %d\n", child_status(pid));

    /* turns on one counter: each side waits for its parity, then increments */
    volatile unsigned *counter = (volatile unsigned *)(shared + 2 * page + 64);
    *counter = 0;
    pid = fork();
    if (pid == 0) {
        for (int i = 0; i < ROUNDS; i++) {
            while (*counter % 2 == 0)
                sched_yield();
            ++*counter;
        }
        _exit(0);
    }
    for (int i = 0; i < ROUNDS; i++) {
        while (*counter % 2 == 1)
            sched_yield();
        ++*counter;
    }
    printf("turns: child exit %d, counter %u\n", child_status(pid), *counter);

    /* a child's mprotect and munmap are its own */
    pid = fork();
    if (pid == 0) {
        int caught;
        signal(SIGSEGV, segv);
        mprotect((void *)shared, page, PROT_READ);
        if (sigsetjmp(back, 1) == 0) {
            shared[0] = 'X';
            caught = 0;
        } else {
            caught = 1;
        }
        munmap((void *)(shared + page), page);
        _exit(caught ? 3 : 4);
    }
    printf("child's write to its read-only view: exit %d (3: SIGSEGV)\n", child_status(pid));
    shared[0] = 'P';
    printf("parent still writes the first page: %c, reads the second: %s\n", shared[0], (char *)shared + page);

    /* a shared page made read-only and then writable again in the parent is still shared */
    mprotect((void *)shared, page, PROT_READ);
    mprotect((void *)shared, page, PROT_READ | PROT_WRITE);
    pid = fork();
    if (pid == 0) {
        shared[1] = 'Q';
        _exit(0);
    }
    child_status(pid);
    printf("after mprotect, still shared: %c%c\n", shared[0], shared[1]);
    printf("munmap: %d\n", munmap((void *)shared, 3 * page));
    return 0;
}
