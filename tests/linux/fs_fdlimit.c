/* The descriptor limit: RLIMIT_NOFILE's 1024, EMFILE beyond it, dup2 and F_DUPFD at the edge,
 * and everything usable again once closed.  With an argument N, N copies run at once. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int fill(void)
{
    int fd, last = -1;

    while ((fd = open("/dev/null", O_RDONLY)) >= 0)
        last = fd;
    return errno == EMFILE ? last : -errno;
}

int main(int argc, char **argv)
{
    struct rlimit rl;
    int copies = argc > 1 ? atoi(argv[1]) : 0;

    if (copies) {
        for (int i = 0; i < copies; i++) {
            if (fork() == 0) {
                int last = fill();
                _exit(last == 1023 ? 0 : 1);
            }
        }
        int ok = 0, status;
        while (wait(&status) > 0)
            ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
        printf("%d of %d reached the limit\n", ok, copies);
        return 0;
    }
    getrlimit(RLIMIT_NOFILE, &rl);
    printf("RLIMIT_NOFILE soft %lu\n", (unsigned long)rl.rlim_cur);
    int last = fill();
    printf("opened up to %d, then %s\n", last, strerror(EMFILE));
    printf("pipe: %s\n", pipe((int[2]){ 0, 0 }) ? strerror(errno) : "ok");
    printf("dup: %s\n", dup(0) < 0 ? strerror(errno) : "ok");
    close(1000);
    printf("dup after a close: %d\n", dup(0));
    printf("dup2 to 1023: %d\n", dup2(0, 1023));
    printf("dup2 to 1024: %s\n", dup2(0, 1024) < 0 ? strerror(errno) : "ok");
    printf("F_DUPFD 1024: %s\n", fcntl(0, F_DUPFD, 1024) < 0 ? strerror(errno) : "ok");
    printf("close 1024: %s\n", close(1024) < 0 ? strerror(errno) : "ok");
    for (int fd = 3; fd < 1024; fd++)
        close(fd);
    int fd = open("/dev/null", O_RDONLY);
    printf("after closing them: %d\n", fd);
    return 0;
}
