/*
 * mprotect: rights taken away and given back, page by page, with a SIGSEGV handler catching
 * each access the new rights forbid.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static sigjmp_buf back;

static void segv(int sig)
{
    (void)sig;
    siglongjmp(back, 1);
}

static void try_write(const char *what, volatile char *p, char c)
{
    if (sigsetjmp(back, 1) == 0) {
        *p = c;
        printf("%s: written\n", what);
    } else {
        printf("%s: SIGSEGV\n", what);
    }
}

static void try_read(const char *what, volatile char *p)
{
    if (sigsetjmp(back, 1) == 0) {
        char c = *p;
        printf("%s: read %c\n", what, c);
    } else {
        printf("%s: SIGSEGV\n", what);
    }
}

int main(void)
{
    long page = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGSEGV, segv);
    p[0] = 'a';
    p[page] = 'b';
    printf("mprotect first page read-only: %d\n", mprotect(p, page, PROT_READ));
    try_read("read it", p);
    try_write("write it", p, 'x');
    try_write("write the second page", p + page, 'c');
    printf("first page writable again: %d\n", mprotect(p, page, PROT_READ | PROT_WRITE));
    try_write("write it", p, 'd');
    printf("all three no access: %d\n", mprotect(p, 3 * page, PROT_NONE));
    try_read("read the second page", p + page);
    try_read("read the third page (never touched)", p + 2 * page);
    printf("all three read-only: %d\n", mprotect(p, 3 * page, PROT_READ));
    try_read("contents kept, first", p);
    try_read("contents kept, second", p + page);
    errno = 0;
    printf("unaligned: %d errno %s\n", mprotect(p + 1, page, PROT_READ), strerror(errno));
    munmap(p + page, page);
    errno = 0;
    printf("over a hole: %d errno %s\n", mprotect(p, 3 * page, PROT_READ), strerror(errno));
    char *none = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    try_read("a PROT_NONE mapping", none);
    return 0;
}
