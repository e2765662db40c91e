/* Opening and using files: O_APPEND, O_EXCL, O_TRUNC, O_DIRECTORY, O_CLOEXEC, modes and the
 * umask, ftruncate (sparse growth reads zeros), utimensat's UTIME_NOW and UTIME_OMIT, FIFOs,
 * devices, statfs, fsync, and getdents over a directory that changes while it is read. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *what, long r)
{
    if (r < 0)
        printf("%s: %s\n", what, strerror(errno));
    else
        printf("%s: ok\n", what);
}

static void cat(const char *name)
{
    char buf[128];
    int fd = open(name, O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf);

    if (n < 0)
        printf("  %s: %s\n", name, strerror(errno));
    else
        printf("  %s: [%.*s]\n", name, (int)n, buf);
    if (fd >= 0)
        close(fd);
}

int main(void)
{
    struct stat st;
    char buf[8192];
    int fd, fd2;

    mkdir("/tmp/fc", 0755);
    chdir("/tmp/fc");

    fd = open("f", O_CREAT | O_EXCL | O_WRONLY, 0644);
    show("O_CREAT|O_EXCL new", fd);
    write(fd, "one", 3);
    show("O_CREAT|O_EXCL again", open("f", O_CREAT | O_EXCL | O_WRONLY, 0644));
    fd2 = open("f", O_WRONLY | O_APPEND);
    write(fd, "two", 3);
    write(fd2, "END", 3);
    lseek(fd, 0, SEEK_SET);
    write(fd, "ONE", 3);
    printf("lseek of O_APPEND to 0 then write: pos %ld\n", (long)(write(fd2, "!", 1), lseek(fd2, 0, SEEK_CUR)));
    close(fd);
    close(fd2);
    cat("f");
    fd = open("f", O_WRONLY | O_TRUNC);
    fstat(fd, &st);
    printf("O_TRUNC size %lld\n", (long long)st.st_size);
    close(fd);
    show("O_DIRECTORY on a file", open("f", O_RDONLY | O_DIRECTORY));
    show("O_DIRECTORY on a directory", fd = open(".", O_RDONLY | O_DIRECTORY));
    close(fd);
    show("write-open a directory", open(".", O_WRONLY));
    show("O_CREAT on a directory", open(".", O_CREAT | O_RDONLY, 0644));
    show("O_CREAT with a slash", open("new/", O_CREAT | O_WRONLY, 0644));
    show("open missing", open("missing", O_RDONLY));
    show("open under a file", open("f/x", O_RDONLY));
    fd = open(".", O_RDONLY);
    show("read a directory", read(fd, buf, 10));
    close(fd);

    fd = open("f", O_RDONLY | O_CLOEXEC);
    printf("O_CLOEXEC: FD_CLOEXEC %d\n", fcntl(fd, F_GETFD) & FD_CLOEXEC);
    fd2 = dup(fd);
    printf("dup: FD_CLOEXEC %d\n", fcntl(fd2, F_GETFD) & FD_CLOEXEC);
    fcntl(fd2, F_SETFD, FD_CLOEXEC);
    printf("F_SETFD: FD_CLOEXEC %d\n", fcntl(fd2, F_GETFD) & FD_CLOEXEC);
    printf("F_GETFL access %d\n", fcntl(fd, F_GETFL) & O_ACCMODE);
    close(fd);
    close(fd2);

    umask(027);
    fd = open("m", O_CREAT | O_WRONLY, 0777);
    fstat(fd, &st);
    printf("mode with umask 027: %o\n", st.st_mode & 07777);
    close(fd);
    mkdir("md", 0777);
    stat("md", &st);
    printf("mkdir with umask 027: %o\n", st.st_mode & 07777);
    printf("umask was %o\n", umask(022));
    fchmod(open("m", O_RDONLY), 04711);
    stat("m", &st);
    printf("fchmod: %o\n", st.st_mode & 07777);
    chown("m", 12, 34);
    stat("m", &st);
    printf("chown: %d %d, mode %o\n", st.st_uid, st.st_gid, st.st_mode & 07777);
    fchmodat(AT_FDCWD, "md", 0700, 0);
    stat("md", &st);
    printf("fchmodat: %o\n", st.st_mode & 07777);
    symlink("m", "ml");
    lchown("ml", 5, 6);
    lstat("ml", &st);
    printf("lchown: link %d %d", st.st_uid, st.st_gid);
    stat("ml", &st);
    printf(", target %d %d\n", st.st_uid, st.st_gid);

    fd = open("sparse", O_CREAT | O_RDWR, 0644);
    show("ftruncate to 3 MiB", ftruncate(fd, 3 << 20));
    pwrite(fd, "end", 3, (3 << 20) - 3);
    fstat(fd, &st);
    printf("size %lld, blocks small %d\n", (long long)st.st_size, st.st_blocks < 64);
    pread(fd, buf, sizeof buf, 1 << 20);
    int zeros = 1;
    for (unsigned i = 0; i < sizeof buf; i++)
        zeros &= buf[i] == 0;
    printf("a hole reads zeros: %d\n", zeros);
    pread(fd, buf, 3, (3 << 20) - 3);
    printf("tail: %.3s\n", buf);
    show("ftruncate to 5", ftruncate(fd, 5));
    show("ftruncate to 10", ftruncate(fd, 10));
    fstat(fd, &st);
    printf("size %lld\n", (long long)st.st_size);
    printf("read %zd bytes\n", pread(fd, buf, sizeof buf, 0));
    show("truncate by name", truncate("sparse", 1));
    show("truncate a directory", truncate(".", 0));
    show("ftruncate read-only", ftruncate(open("f", O_RDONLY), 0));
    show("ftruncate negative", ftruncate(fd, -1));
    close(fd);

    struct timespec ts[2] = { { 1000, 0 }, { 2000, 0 } };
    show("utimensat", utimensat(AT_FDCWD, "f", ts, 0));
    stat("f", &st);
    printf("atime %ld mtime %ld\n", (long)st.st_atime, (long)st.st_mtime);
    ts[0].tv_nsec = UTIME_OMIT;
    ts[1].tv_sec = 3;
    utimensat(AT_FDCWD, "f", ts, 0);
    stat("f", &st);
    printf("UTIME_OMIT atime: atime %ld mtime %ld\n", (long)st.st_atime, (long)st.st_mtime);
    ts[0].tv_nsec = 0;
    ts[1].tv_nsec = UTIME_NOW;
    utimensat(AT_FDCWD, "f", ts, 0);
    stat("f", &st);
    printf("UTIME_NOW mtime: atime %ld, mtime moved %d, ctime >= mtime %d\n", (long)st.st_atime,
           st.st_mtime > 3, st.st_ctime >= st.st_mtime);
    ts[0].tv_sec = 7;
    ts[0].tv_nsec = 0;
    ts[1].tv_sec = 8;
    ts[1].tv_nsec = 0;
    symlink("f", "fl");
    struct stat before;
    stat("f", &before);
    utimensat(AT_FDCWD, "fl", ts, AT_SYMLINK_NOFOLLOW);
    lstat("fl", &st);
    printf("AT_SYMLINK_NOFOLLOW: link %ld", (long)st.st_mtime);
    stat("fl", &st);
    printf(", target unchanged %d\n", st.st_mtime == before.st_mtime);
    fd = open("f", O_RDONLY);
    futimens(fd, ts);
    fstat(fd, &st);
    printf("futimens: %ld %ld\n", (long)st.st_atime, (long)st.st_mtime);
    close(fd);
    ts[0].tv_nsec = 1000000000;
    show("utimensat bad nsec", utimensat(AT_FDCWD, "f", ts, 0));

    show("mkfifo", mkfifo("fifo", 0644));
    stat("fifo", &st);
    printf("a fifo: %d\n", S_ISFIFO(st.st_mode));
    if (fork() == 0) {
        fd = open("fifo", O_WRONLY);
        write(fd, "through the fifo", 16);
        close(fd);
        _exit(0);
    }
    fd = open("fifo", O_RDONLY);
    ssize_t n = read(fd, buf, sizeof buf);
    printf("read %.*s\n", (int)n, buf);
    printf("then end of file: %zd\n", read(fd, buf, sizeof buf));
    close(fd);
    wait(NULL);
    show("a writer that may not wait for a reader", open("fifo", O_WRONLY | O_NONBLOCK));
    fd = open("fifo", O_RDONLY | O_NONBLOCK);
    show("a reader that may not wait for a writer", fd);
    printf("  it reads %zd\n", read(fd, buf, sizeof buf));
    fd2 = open("fifo", O_WRONLY | O_NONBLOCK);
    show("  then a writer finds it", fd2);
    close(fd2);
    close(fd);

    fd = open("/dev/full", O_WRONLY);
    show("write /dev/full", write(fd, "x", 1));
    close(fd);
    fd = open("/dev/zero", O_RDONLY);
    buf[0] = 1;
    read(fd, buf, 16);
    printf("/dev/zero: %d\n", buf[0] + buf[15]);
    close(fd);
    fd = open("/dev/urandom", O_RDONLY);
    printf("/dev/urandom: %zd\n", read(fd, buf, 32));
    close(fd);
    stat("/dev/null", &st);
    printf("/dev/null: char %d, %u:%u\n", S_ISCHR(st.st_mode), major(st.st_rdev), minor(st.st_rdev));
    show("mknod a device", mknod("nul", S_IFCHR | 0600, makedev(1, 3)));
    fd = open("nul", O_WRONLY);
    show("write through it", write(fd, "xyz", 3));
    close(fd);

    struct statfs sf;
    statfs("/tmp", &sf);
    printf("statfs /tmp: tmpfs %d, bsize %ld, namelen %ld, free > 0 %d\n",
           sf.f_type == 0x01021994, (long)sf.f_bsize, (long)sf.f_namelen, sf.f_bfree > 0);
    statfs("/proc", &sf);
    printf("statfs /proc: proc %d\n", sf.f_type == 0x9fa0);
    fd = open("f", O_WRONLY);
    show("fsync", fsync(fd));
    show("fdatasync", fdatasync(fd));
    close(fd);
    sync();

    /* a directory read while its entries are removed, as rm -r does */
    mkdir("many", 0755);
    for (int i = 0; i < 700; i++) {
        snprintf(buf, sizeof buf, "many/entry-with-a-longer-name-%d", i);
        close(open(buf, O_CREAT | O_WRONLY, 0644));
    }
    DIR *d = opendir("many");
    struct dirent *e;
    int seen = 0, removed = 0;
    while ((e = readdir(d))) {
        seen++;
        if (e->d_name[0] == '.')
            continue;
        snprintf(buf, sizeof buf, "many/%s", e->d_name);
        removed += unlink(buf) == 0;
    }
    closedir(d);
    printf("read %d entries, removed %d\n", seen, removed);
    show("rmdir it", rmdir("many"));

    fd = open("mapped", O_CREAT | O_RDWR | O_TRUNC, 0644);
    write(fd, "mapped bytes\n", 13);
    char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    show("mmap a file", m == MAP_FAILED ? -1 : 0);
    printf("  %.12s, then zeros: %d\n", m, m[100] + m[4095]);
    m[0] = 'M';
    pread(fd, buf, 6, 0);
    printf("  a private write stays private: %.6s / %.6s\n", m, buf);
    munmap(m, 8192);
    m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    pwrite(fd, "MAPPED", 6, 0);
    printf("  shared, read after a write: %.6s\n", m);
    munmap(m, 4096);
    close(fd);
    fd = open("mapped", O_RDONLY);
    m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    show("shared and writable from a read-only descriptor", m == MAP_FAILED ? -1 : 0);
    close(fd);
    fd = open(".", O_RDONLY);
    m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    show("mmap a directory", m == MAP_FAILED ? -1 : 0);
    close(fd);
    return 0;
}
