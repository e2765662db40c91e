/* Many mappings in one process, as an allocator makes them: 300 anonymous mappings one after
 * another (each written), a region grown by mprotect a page at a time 200 times (as glibc grows
 * a thread's heap), then a fork whose child reads them all and a munmap of a range across
 * mappings.  Linux joins neighbouring anonymous regions, so none of this runs out of regions. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAPS 300
#define GROW 200

static char *map[MAPS];

static long sum(char *grown)
{
    long s = 0;
    for (int i = 0; i < MAPS; i++)
        s += map[i][0] + map[i][4095];
    for (int i = 0; i < GROW; i++)
        s += grown[i * 4096];
    return s;
}

int main(void)
{
    for (int i = 0; i < MAPS; i++) {
        map[i] = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (map[i] == MAP_FAILED) {
            printf("mmap %d failed\n", i);
            return 1;
        }
        map[i][0] = (char)i;
        map[i][4095] = 1;
    }
    printf("%d mappings made and written\n", MAPS);
    char *grown = mmap(NULL, GROW * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < GROW; i++) {
        if (mprotect(grown, (i + 1) * 4096, PROT_READ | PROT_WRITE)) {
            printf("mprotect %d failed\n", i);
            return 1;
        }
        grown[i * 4096] = 2;
    }
    printf("a region grown %d times by mprotect\n", GROW);
    long want = sum(grown);
    pid_t pid = fork();
    if (pid < 0) {
        printf("fork failed\n");
        return 1;
    }
    if (pid == 0)
        _exit(sum(grown) == want ? 0 : 1);
    int status;
    waitpid(pid, &status, 0);
    printf("the child read them all: %s\n", WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "same" : "different");
    /* the mappings were made downwards: map[19] up to map[10], in one call */
    printf("munmap across ten mappings: %d\n", munmap(map[19], 10 * 4096));
    printf("the neighbours stay: %d %d\n", map[9][0], map[20][0]);
    return 0;
}
