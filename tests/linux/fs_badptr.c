/* Bad pointers and lengths given to the file system's calls: each answers EFAULT, EINVAL or
 * ENAMETOOLONG as Linux does, and nothing else happens. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BAD ((void *)0x10)
#define KERNEL ((void *)0xc0000000)

static void show(const char *what, long r)
{
    if (r < 0)
        printf("%s: %s\n", what, strerror(errno));
    else
        printf("%s: %ld\n", what, r);
}

int main(void)
{
    static char longname[300], longpath[5000];
    struct stat st;

    mkdir("/tmp/bp", 0755);
    chdir("/tmp/bp");
    close(open("f", O_CREAT | O_WRONLY, 0644));
    symlink("f", "l");
    show("open bad path", syscall(SYS_openat, AT_FDCWD, BAD, O_RDONLY));
    show("open kernel path", syscall(SYS_openat, AT_FDCWD, KERNEL, O_RDONLY));
    show("open empty path", syscall(SYS_openat, AT_FDCWD, "", O_RDONLY));
    show("stat into a bad buffer", syscall(SYS_fstatat64, AT_FDCWD, "f", BAD, 0));
    show("fstat into a bad buffer", syscall(SYS_fstat64, 0, BAD));
    show("mkdir bad path", syscall(SYS_mkdirat, AT_FDCWD, BAD, 0755));
    show("unlink bad path", syscall(SYS_unlinkat, AT_FDCWD, BAD, 0));
    show("rename bad old", syscall(SYS_renameat, AT_FDCWD, BAD, AT_FDCWD, "x"));
    show("rename bad new", syscall(SYS_renameat, AT_FDCWD, "f", AT_FDCWD, BAD));
    show("link bad new", syscall(SYS_linkat, AT_FDCWD, "f", AT_FDCWD, BAD, 0));
    show("symlink bad target", syscall(SYS_symlinkat, BAD, AT_FDCWD, "s"));
    show("readlink into a bad buffer", syscall(SYS_readlinkat, AT_FDCWD, "l", BAD, 10));
    show("readlink size 0", syscall(SYS_readlinkat, AT_FDCWD, "l", longname, 0));
    show("readlink size 1", syscall(SYS_readlinkat, AT_FDCWD, "l", longname, 1));
    show("utimensat bad times", syscall(SYS_utimensat, AT_FDCWD, "f", BAD, 0));
    show("utimensat bad flags", syscall(SYS_utimensat, AT_FDCWD, "f", NULL, 0x8000));
    show("getcwd into a bad buffer", syscall(SYS_getcwd, BAD, 100));
    show("getcwd too small", syscall(SYS_getcwd, longname, 2));
    int fd = open(".", O_RDONLY | O_DIRECTORY);
    show("getdents into a bad buffer", syscall(SYS_getdents64, fd, BAD, 4096));
    show("getdents too small", syscall(SYS_getdents64, fd, longname, 8));
    close(fd);
    fd = open("f", O_RDWR);
    show("write from a bad buffer", syscall(SYS_write, fd, BAD, 10));
    show("read into a bad buffer", syscall(SYS_read, fd, BAD, 10));
    show("ftruncate a negative length", syscall(SYS_ftruncate64, fd, 0, 0xffffffff, 0xffffffff));
    close(fd);
    show("fd 5000", syscall(SYS_fstat64, 5000, &st));
    show("openat relative to a file", syscall(SYS_openat, open("f", O_RDONLY), "x", O_RDONLY));
    show("openat with a bad descriptor", syscall(SYS_openat, 4000, "x", O_RDONLY));
    memset(longname, 'n', 256);
    show("a name of 256 bytes", open(longname, O_CREAT | O_WRONLY, 0644));
    longname[255] = 0;
    show("a name of 255 bytes", fd = open(longname, O_CREAT | O_WRONLY, 0644));
    close(fd);
    unlink(longname);
    for (int i = 0; i < 4500; i += 2)
        memcpy(longpath + i, "./", 2);
    show("a path of 4500 bytes", open(longpath, O_RDONLY));
    show("mknod of a bad type", mknod("bad", 0170000 | 0644, 0));
    show("statfs with a bad size", syscall(SYS_statfs64, "/tmp", 10, longpath));
    show("f still there", stat("f", &st));
    unlink("l");
    unlink("f");
    chdir("/");
    show("rmdir", rmdir("/tmp/bp"));
    return 0;
}
