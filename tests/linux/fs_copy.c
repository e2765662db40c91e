/* Copying in the kernel and the calls around it: memfd_create (a file like any other: write,
 * read, ftruncate, mmap, fstat, its /proc/self/fd link; bad flags and names), copy_file_range
 * (at the files' positions or offsets that move, shortened at the end of the input, the
 * errors: flags, access modes, O_APPEND, a directory, a pipe, overlapping ranges, a memfd and a
 * file of /tmp), splice (pipe to file, file to pipe, pipe to pipe, a wait for data, the
 * errors), lseek's SEEK_DATA and SEEK_HOLE in a sparse file, and preadv2 and pwritev2 with
 * their flags.  Files in /tmp (tmpfs on Linux). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define DIR "/tmp/fs_copy"

static void show(const char *what, long r)
{
    if (r < 0)
        printf("%-44s %s\n", what, strerror(errno));
    else
        printf("%-44s %ld\n", what, r);
}

static int make(const char *name, const char *data, size_t len)
{
    int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);

    if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
        perror(name);
        exit(1);
    }
    return fd;
}

/* The bytes of `fd` from `off`, `len` of them, as text ('.' for a zero). */
static void contents(const char *what, int fd, off_t off, size_t len)
{
    char buf[128];
    ssize_t n = pread(fd, buf, len < sizeof buf ? len : sizeof buf, off);

    for (ssize_t i = 0; i < n; i++)
        if (!buf[i])
            buf[i] = '.';
    printf("%-44s [%.*s]\n", what, (int)(n < 0 ? 0 : n), buf);
}

static void memfd(void)
{
    char name[300], link[64], path[300];
    struct stat st;
    int fd, fd2;

    fd = memfd_create("hello", MFD_CLOEXEC);
    show("memfd_create(hello, MFD_CLOEXEC) >= 0", fd < 0 ? -1 : 0);
    show("  F_GETFD", fcntl(fd, F_GETFD));
    show("  F_GETFL & O_ACCMODE == O_RDWR", (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
    show("  write", write(fd, "memfd_create", 12));
    show("  lseek(0, SEEK_CUR)", lseek(fd, 0, SEEK_CUR));
    fstat(fd, &st);
    printf("%-44s %s %o size %ld\n", "  fstat", S_ISREG(st.st_mode) ? "S_IFREG" : "other",
           st.st_mode & 07777, (long)st.st_size);
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    printf("%-44s %.*s\n", "  /proc/self/fd/N", (int)(n < 0 ? 0 : n), path);
    show("  ftruncate(8192)", ftruncate(fd, 8192));
    contents("  pread(4, 12)", fd, 4, 12);
    contents("  pread(4096, 4)", fd, 4096, 4);
    char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    show("  mmap(MAP_SHARED)", m == MAP_FAILED ? -1 : 0);
    if (m != MAP_FAILED) {
        memcpy(m + 4100, "mapped", 6);
        munmap(m, 8192);
    }
    contents("  pread(4096, 12)", fd, 4096, 12);
    show("  lseek(0, SEEK_DATA)", lseek(fd, 0, SEEK_DATA));
    show("  ftruncate(5)", ftruncate(fd, 5));
    fstat(fd, &st);
    show("  size", st.st_size);
    contents("  pread(0, 100)", fd, 0, 100);
    fd2 = memfd_create("", MFD_ALLOW_SEALING);
    show("memfd_create(\"\", MFD_ALLOW_SEALING) F_GETFD", fcntl(fd2, F_GETFD));
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd2);
    n = readlink(link, path, sizeof path - 1);
    printf("%-44s %.*s\n", "  /proc/self/fd/N", (int)(n < 0 ? 0 : n), path);
    close(fd2);
    show("memfd_create(x, 0x100)", memfd_create("x", 0x100));
    memset(name, 'a', sizeof name);
    name[249] = 0;
    fd2 = memfd_create(name, 0);
    show("memfd_create(249 characters) >= 0", fd2 < 0 ? -1 : 0);
    close(fd2);
    name[249] = 'a';
    name[250] = 0;
    show("memfd_create(250 characters)", memfd_create(name, 0));
    show("memfd_create(bad name)", memfd_create((const char *)8, 0));
    close(fd);
}

static void copy_range(void)
{
    char data[10000], buf[10000];
    loff_t in_off, out_off;
    int a, b, ro, wo, app, p[2], m, m2;

    for (int i = 0; i < (int)sizeof data; i++)
        data[i] = "0123456789abcdefghijklmnopqrstuvwxyz"[i % 36];
    a = make(DIR "/a", data, sizeof data);
    b = make(DIR "/b", "", 0);
    lseek(a, 0, SEEK_SET);
    show("copy_file_range(a, NULL, b, NULL, 5000)", copy_file_range(a, NULL, b, NULL, 5000, 0));
    show("  position of a", lseek(a, 0, SEEK_CUR));
    show("  position of b", lseek(b, 0, SEEK_CUR));
    show("  b matches", pread(b, buf, sizeof buf, 0) == 5000 && !memcmp(buf, data, 5000));
    in_off = 100;
    out_off = 20000;
    show("copy_file_range(a, 100, b, 20000, 50)", copy_file_range(a, &in_off, b, &out_off, 50, 0));
    printf("%-44s %lld %lld\n", "  offsets", (long long)in_off, (long long)out_off);
    show("  position of a", lseek(a, 0, SEEK_CUR));
    show("  position of b", lseek(b, 0, SEEK_CUR));
    contents("  b at 19995", b, 19995, 60);
    in_off = 9990;
    out_off = 0;
    show("copy_file_range(a, 9990, b, 0, 100)", copy_file_range(a, &in_off, b, &out_off, 100, 0));
    printf("%-44s %lld %lld\n", "  offsets", (long long)in_off, (long long)out_off);
    contents("  b at 0", b, 0, 12);
    in_off = 20000;
    show("copy_file_range(a, 20000, b, 0, 100)", copy_file_range(a, &in_off, b, &out_off, 100, 0));
    show("copy_file_range(len 0)", copy_file_range(a, NULL, b, NULL, 0, 0));
    show("copy_file_range(flags 1)", copy_file_range(a, NULL, b, NULL, 10, 1));
    show("copy_file_range(bad in)", copy_file_range(99, NULL, b, NULL, 10, 0));
    show("copy_file_range(bad out)", copy_file_range(a, NULL, 99, NULL, 10, 0));
    ro = open(DIR "/b", O_RDONLY);
    wo = open(DIR "/a", O_WRONLY);
    app = open(DIR "/b", O_WRONLY | O_APPEND);
    show("copy_file_range(to O_RDONLY)", copy_file_range(a, NULL, ro, NULL, 10, 0));
    show("copy_file_range(from O_WRONLY)", copy_file_range(wo, NULL, b, NULL, 10, 0));
    show("copy_file_range(to O_APPEND)", copy_file_range(a, NULL, app, NULL, 10, 0));
    int d = open(DIR, O_RDONLY | O_DIRECTORY);
    show("copy_file_range(from a directory)", copy_file_range(d, NULL, b, NULL, 10, 0));
    show("copy_file_range(to a directory)", copy_file_range(a, NULL, d, NULL, 10, 0));
    pipe(p);
    show("copy_file_range(to a pipe)", copy_file_range(a, NULL, p[1], NULL, 10, 0));
    show("copy_file_range(from a pipe)", copy_file_range(p[0], NULL, b, NULL, 10, 0));
    in_off = 0;
    out_off = 50;
    show("copy_file_range(a, 0, a, 50, 100): overlap", copy_file_range(a, &in_off, a, &out_off, 100, 0));
    out_off = 100;
    show("copy_file_range(a, 0, a, 100, 100)", copy_file_range(a, &in_off, a, &out_off, 100, 0));
    contents("  a at 95", a, 95, 10);
    in_off = -1;
    show("copy_file_range(negative offset)", copy_file_range(a, &in_off, b, NULL, 10, 0));
    show("copy_file_range(bad offset pointer)", copy_file_range(a, (loff_t *)8, b, NULL, 10, 0));
    m = memfd_create("m", 0);
    m2 = memfd_create("m2", 0);
    write(m, "memory", 6);
    in_off = 0;
    show("copy_file_range(memfd to /tmp)", copy_file_range(m, &in_off, b, NULL, 6, 0));
    show("copy_file_range(/tmp to memfd)", copy_file_range(a, NULL, m, NULL, 6, 0));
    show("copy_file_range(memfd to memfd)", copy_file_range(m, &in_off, m2, NULL, 6, 0));
    contents("  m2", m2, 0, 10);
    close(m);
    close(m2);
    close(d);
    close(p[0]);
    close(p[1]);
    close(ro);
    close(wo);
    close(app);
    close(a);
    close(b);
}

static void do_splice(void)
{
    static char big[100000];
    loff_t off;
    int f, p[2], q[2], app, d;
    char buf[100];
    ssize_t n;

    f = make(DIR "/s", "0123456789", 10);
    pipe(p);
    pipe(q);
    write(p[1], "hello world", 11);
    off = 3;
    show("splice(pipe, file at 3, 100)", splice(p[0], NULL, f, &off, 100, 0));
    show("  offset", off);
    show("  position", lseek(f, 0, SEEK_CUR));
    contents("  file", f, 0, 40);
    off = 1;
    show("splice(file at 1, pipe, 5)", splice(f, &off, p[1], NULL, 5, 0));
    show("  offset", off);
    n = read(p[0], buf, sizeof buf);
    printf("%-44s [%.*s]\n", "  the pipe", (int)n, buf);
    lseek(f, 6, SEEK_SET);
    show("splice(file, pipe, 100)", splice(f, NULL, p[1], NULL, 100, 0));
    show("  position", lseek(f, 0, SEEK_CUR));
    show("splice(file at its end, pipe, 100)", splice(f, NULL, p[1], NULL, 100, 0));
    show("splice(pipe, pipe, 4)", splice(p[0], NULL, q[1], NULL, 4, 0));
    show("splice(pipe, pipe, 100)", splice(p[0], NULL, q[1], NULL, 100, 0));
    n = read(q[0], buf, sizeof buf);
    printf("%-44s [%.*s]\n", "  the second pipe", (int)n, buf);
    lseek(f, 0, SEEK_END);
    write(p[1], "tail", 4);
    show("splice(pipe, file, 100)", splice(p[0], NULL, f, NULL, 100, 0));
    contents("  file", f, 0, 40);
    show("splice(empty pipe, SPLICE_F_NONBLOCK)", splice(p[0], NULL, f, NULL, 100, SPLICE_F_NONBLOCK));
    show("splice(len 0, bad descriptors)", splice(99, NULL, 98, NULL, 0, 0));
    show("splice(flags 0x100)", splice(p[0], NULL, f, NULL, 100, 0x100));
    show("splice(bad in)", splice(99, NULL, f, NULL, 100, 0));
    show("splice(from the write end)", splice(p[1], NULL, f, NULL, 100, 0));
    show("splice(to the read end)", splice(f, NULL, p[0], NULL, 100, 0));
    show("splice(file, file)", splice(f, NULL, f, NULL, 100, 0));
    show("splice(pipe to itself)", splice(p[0], NULL, p[1], NULL, 100, 0));
    off = 0;
    show("splice(pipe with an offset, file)", splice(p[0], &off, f, NULL, 100, 0));
    show("splice(file, pipe with an offset)", splice(f, NULL, p[1], &off, 100, 0));
    off = -1;
    write(p[1], "x", 1);
    show("splice(pipe, file at -1)", splice(p[0], NULL, f, &off, 100, 0));
    app = open(DIR "/s", O_WRONLY | O_APPEND);
    show("splice(pipe, O_APPEND file)", splice(p[0], NULL, app, NULL, 100, 0));
    d = open(DIR, O_RDONLY | O_DIRECTORY);
    show("splice(directory, pipe)", splice(d, NULL, p[1], NULL, 100, 0));
    read(p[0], buf, 1);

    /* a splice waits for data, and sees the end of the pipe */
    pid_t pid = fork();
    if (!pid) {
        usleep(100000);
        write(p[1], "late", 4);
        _exit(0);
    }
    lseek(f, 0, SEEK_END);
    show("splice(pipe, file) waiting", splice(p[0], NULL, f, NULL, 100, 0));
    waitpid(pid, NULL, 0);
    close(p[1]);
    show("splice(pipe without writers, file)", splice(p[0], NULL, f, NULL, 100, 0));
    contents("  file", f, 0, 40);
    close(p[0]);

    /* a full pipe, and one without readers */
    int g = make(DIR "/big", big, sizeof big);
    off = 0;
    show("splice(100000 bytes, empty pipe)", splice(g, &off, q[1], NULL, sizeof big, 0));
    show("splice(file, full pipe, SPLICE_F_NONBLOCK)", splice(g, &off, q[1], NULL, 10, SPLICE_F_NONBLOCK));
    close(q[0]);
    signal(SIGPIPE, SIG_IGN);
    show("splice(file, pipe without readers)", splice(g, &off, q[1], NULL, 10, 0));
    close(q[1]);
    close(g);
    close(app);
    close(d);
    close(f);
}

static void seek_data(void)
{
    int f = make(DIR "/sparse", "", 0), m, p[2];

    ftruncate(f, 5 * 4096);
    pwrite(f, "x", 1, 8192);
    pwrite(f, "y", 1, 4 * 4096 + 10);
    show("SEEK_DATA 0", lseek(f, 0, SEEK_DATA));
    show("SEEK_HOLE 0", lseek(f, 0, SEEK_HOLE));
    show("SEEK_DATA 8193", lseek(f, 8193, SEEK_DATA));
    show("SEEK_HOLE 8192", lseek(f, 8192, SEEK_HOLE));
    show("SEEK_DATA 12288", lseek(f, 12288, SEEK_DATA));
    show("SEEK_HOLE 12288", lseek(f, 12288, SEEK_HOLE));
    show("SEEK_HOLE 16384", lseek(f, 16384, SEEK_HOLE));
    show("SEEK_DATA 20479", lseek(f, 20479, SEEK_DATA));
    show("SEEK_DATA 20480 (the end)", lseek(f, 20480, SEEK_DATA));
    show("SEEK_HOLE 20480 (the end)", lseek(f, 20480, SEEK_HOLE));
    show("SEEK_DATA -1", lseek(f, -1, SEEK_DATA));
    show("  position", lseek(f, 0, SEEK_CUR));
    ftruncate(f, 3 * 4096);
    show("SEEK_DATA 4096, after a truncation", lseek(f, 4096, SEEK_DATA));
    show("SEEK_DATA 9000, after a truncation", lseek(f, 9000, SEEK_DATA));
    close(f);
    m = memfd_create("sparse", 0);
    ftruncate(m, 3 * 4096);
    show("memfd: SEEK_DATA 0", lseek(m, 0, SEEK_DATA));
    show("memfd: SEEK_HOLE 0", lseek(m, 0, SEEK_HOLE));
    pwrite(m, "z", 1, 4096);
    show("memfd: SEEK_DATA 0, written", lseek(m, 0, SEEK_DATA));
    close(m);
    pipe(p);
    show("SEEK_DATA of a pipe", lseek(p[0], 0, SEEK_DATA));
    close(p[0]);
    close(p[1]);
    show("lseek(whence 5)", lseek(0, 0, 5));
}

static void rw2(void)
{
    char b[3][8];
    struct iovec v[3] = { { b[0], 5 }, { b[1], 3 }, { b[2], 2 } };
    struct iovec w = { "WXYZ", 4 };
    int f = make(DIR "/v", "test1tt2t3t5t6t6t8", 18), p[2];

    lseek(f, 2, SEEK_SET);
    show("preadv2(0, flags 0)", preadv2(f, v, 3, 0, 0));
    printf("  [%.5s] [%.3s] [%.2s]\n", b[0], b[1], b[2]);
    show("preadv2(1, RWF_HIPRI)", preadv2(f, v, 3, 1, RWF_HIPRI));
    printf("  [%.5s] [%.3s] [%.2s]\n", b[0], b[1], b[2]);
    show("  position", lseek(f, 0, SEEK_CUR));
    show("preadv2(-1, 0): the position", preadv2(f, v, 3, -1, 0));
    printf("  [%.5s] [%.3s] [%.2s]\n", b[0], b[1], b[2]);
    show("  position", lseek(f, 0, SEEK_CUR));
    show("preadv2(RWF_NOWAIT)", preadv2(f, v, 3, 0, RWF_NOWAIT));
    show("preadv2(flags 0x100)", preadv2(f, v, 3, 0, 0x100));
    show("preadv2(-2)", preadv2(f, v, 3, -2, 0));
    show("preadv2(bad descriptor)", preadv2(99, v, 3, 0, 0));
    show("pwritev2(3, RWF_DSYNC)", pwritev2(f, &w, 1, 3, RWF_DSYNC));
    show("pwritev2(0, RWF_APPEND)", pwritev2(f, &w, 1, 0, RWF_APPEND));
    show("  position", lseek(f, 0, SEEK_CUR));
    show("pwritev2(-1, RWF_SYNC)", pwritev2(f, &w, 1, -1, RWF_SYNC));
    show("  position", lseek(f, 0, SEEK_CUR));
    contents("  the file", f, 0, 40);
    show("pwritev2(flags 0x100)", pwritev2(f, &w, 1, 0, 0x100));
    pipe(p);
    write(p[1], "piped", 5);
    show("preadv2(a pipe at 0)", preadv2(p[0], v, 3, 0, 0));
    show("preadv2(a pipe at -1)", preadv2(p[0], v, 3, -1, 0));
    printf("  [%.5s]\n", b[0]);
    close(p[0]);
    close(p[1]);
    close(f);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    mkdir(DIR, 0755);
    memfd();
    copy_range();
    do_splice();
    seek_data();
    rw2();
    for (const char *const *n = (const char *const[]){ "a", "b", "s", "big", "sparse", "v", NULL }; *n; n++) {
        char path[64];
        snprintf(path, sizeof path, DIR "/%s", *n);
        unlink(path);
    }
    rmdir(DIR);
    return 0;
}
