/* Many processes blocked on one pipe: readers waiting together each get data or, once the last
 * writer is gone, end of file; writers blocked together on a full pipe all finish as a reader
 * drains it, and nothing is lost or doubled. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define READERS 6
#define WRITERS 4
#define CHUNK   20000

int main(void)
{
    int p[2], sums[2];
    char buf[4096];

    /* readers first: all block on the empty pipe, then share what comes, then see EOF */
    pipe(p);
    pipe(sums);
    for (int i = 0; i < READERS; i++) {
        if (fork() == 0) {
            long got = 0;
            ssize_t n;
            close(p[1]);
            while ((n = read(p[0], buf, 7)) > 0)
                got += n;
            write(sums[1], &got, sizeof got);
            _exit(0);
        }
    }
    close(p[0]);
    usleep(300000);                             /* they wait in read by now */
    memset(buf, 'x', sizeof buf);
    for (int i = 0; i < 25; i++)
        write(p[1], buf, 1000);
    close(p[1]);
    long total = 0, one;
    for (int i = 0; i < READERS; i++) {
        read(sums[0], &one, sizeof one);
        total += one;
    }
    while (wait(NULL) > 0)
        ;
    printf("%d readers waiting together read %ld bytes of 25000, then all saw end of file\n", READERS, total);
    close(sums[0]);
    close(sums[1]);

    /* writers: all block on the full pipe, a reader drains it */
    pipe(p);
    for (int i = 0; i < WRITERS; i++) {
        if (fork() == 0) {
            static char big[CHUNK];
            long put = 0;
            close(p[0]);
            memset(big, 'a' + i, sizeof big);
            while (put < CHUNK) {
                ssize_t n = write(p[1], big + put, CHUNK - put);
                if (n <= 0)
                    _exit(1);
                put += n;
            }
            _exit(0);
        }
    }
    close(p[1]);
    usleep(300000);                             /* the pipe is full, the writers wait */
    long counts[WRITERS] = { 0 }, n;
    while ((n = read(p[0], buf, sizeof buf)) > 0)
        for (long k = 0; k < n; k++)
            counts[buf[k] - 'a']++;
    int ok = 0, status;
    while (wait(&status) > 0)
        ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
    printf("%d writers waiting together all finished: %d\n", WRITERS, ok);
    for (int i = 0; i < WRITERS; i++)
        printf("writer %c: %ld bytes arrived\n", 'a' + i, counts[i]);
    return 0;
}
