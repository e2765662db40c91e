/* Scatter and gather, advice and allocation: readv across several buffers (a file, a pipe with
 * less than asked, a pipe whose first buffer is empty), writev, preadv and pwritev at an offset
 * leaving the position alone, more than UIO_MAXIOV iovecs, posix_fadvise and its errors,
 * fallocate growing a file (and KEEP_SIZE, a punched hole, the errors), posix_fallocate. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static void show(const char *what, long r)
{
    if (r < 0)
        printf("%s: %s\n", what, strerror(errno));
    else
        printf("%s: %ld\n", what, r);
}

static void bufs(char b[3][8], const struct iovec *v)
{
    printf("  [%.*s] [%.*s] [%.*s]\n", (int)v[0].iov_len, b[0], (int)v[1].iov_len, b[1],
           (int)v[2].iov_len, b[2]);
}

static long size_of(int fd)
{
    struct stat st;
    return fstat(fd, &st) ? -1 : (long)st.st_size;
}

int main(void)
{
    char b[3][8];
    struct iovec v[3] = { { b[0], 5 }, { b[1], 3 }, { b[2], 2 } };
    int fd = open("/tmp/fs_vec", O_RDWR | O_CREAT | O_TRUNC, 0644);

    show("writev", writev(fd, (struct iovec[]){ { "test1", 5 }, { "tt2", 3 }, { "t3", 2 } }, 3));
    lseek(fd, 0, SEEK_SET);
    memset(b, '.', sizeof b);
    show("readv of a file", readv(fd, v, 3));
    bufs(b, v);
    memset(b, '.', sizeof b);
    show("preadv at 2", preadv(fd, v, 3, 2));
    bufs(b, v);
    show("the position after", lseek(fd, 0, SEEK_CUR));
    show("pwritev at 12", pwritev(fd, (struct iovec[]){ { "ab", 2 }, { "cd", 2 } }, 2, 12));
    show("the size after", size_of(fd));
    show("preadv past the end", preadv(fd, v, 3, 100));
    show("preadv at a negative offset", preadv(fd, v, 3, -1));

    int p[2];
    pipe(p);
    write(p[1], "abcdefg", 7);
    memset(b, '.', sizeof b);
    show("readv of a pipe holding 7", readv(p[0], v, 3));
    bufs(b, v);
    write(p[1], "xy", 2);
    struct iovec empty_first[2] = { { b[0], 0 }, { b[1], 3 } };
    show("readv of a pipe, the first buffer empty", readv(p[0], empty_first, 2));
    show("preadv of a pipe", preadv(p[0], v, 3, 0));

    struct iovec *many = calloc(1025, sizeof *many);
    for (int i = 0; i < 1025; i++)
        many[i] = (struct iovec){ b[0], 1 };
    show("writev of 1025 iovecs", writev(fd, many, 1025));
    show("writev of 1024 iovecs", writev(fd, many, 1024));

    show("fadvise WILLNEED", posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED) ? -1 : 0);
    errno = posix_fadvise(fd, 0, 0, 99);
    show("fadvise advice 99", errno ? -1 : 0);
    errno = posix_fadvise(p[0], 0, 0, POSIX_FADV_NORMAL);
    show("fadvise of a pipe", errno ? -1 : 0);
    errno = posix_fadvise(-42, 0, 0, POSIX_FADV_NORMAL);
    show("fadvise of a bad descriptor", errno ? -1 : 0);

    show("fallocate to 8192", fallocate(fd, 0, 4096, 4096));
    show("the size after", size_of(fd));
    show("fallocate inside", fallocate(fd, 0, 0, 10));
    show("fallocate KEEP_SIZE past the end", fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 100000));
    show("the size after", size_of(fd));
    show("fallocate of no length", fallocate(fd, 0, 0, 0));
    show("fallocate of a pipe", fallocate(p[1], 0, 0, 10));
    int ro = open("/tmp/fs_vec", O_RDONLY);
    show("fallocate of a file opened to read", fallocate(ro, 0, 0, 10));
    errno = posix_fallocate(fd, 10000, 100);
    show("posix_fallocate to 10100", errno ? -1 : 0);
    show("the size after", size_of(fd));
    char z[4];
    show("the new bytes read", pread(fd, z, 4, 9000));
    printf("  %d %d %d %d\n", z[0], z[1], z[2], z[3]);
    unlink("/tmp/fs_vec");
    return 0;
}
