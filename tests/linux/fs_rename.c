/* rename, renameat and renameat2 with Linux's rules, and unlink/rmdir's: replacing, moving
 * between directories, a directory keeping its contents, and each error. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#endif

static void show(const char *what, long r)
{
    if (r < 0)
        printf("%s: %s\n", what, strerror(errno));
    else
        printf("%s: ok\n", what);
}

static void put(const char *name, const char *text)
{
    int fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    write(fd, text, strlen(text));
    close(fd);
}

static void cat(const char *name)
{
    char buf[64];
    int fd = open(name, O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf);

    if (n < 0)
        printf("  %s: %s\n", name, strerror(errno));
    else
        printf("  %s: %.*s", name, (int)n, buf);
    if (fd >= 0)
        close(fd);
}

static long renameat2_(int od, const char *o, int nd, const char *n, unsigned flags)
{
    return syscall(SYS_renameat2, od, o, nd, n, flags);
}

static unsigned long links(const char *path)
{
    struct stat st;

    return stat(path, &st) ? 0 : (unsigned long)st.st_nlink;
}

int main(void)
{
    struct stat st, st2;

    mkdir("/tmp/rn", 0755);
    chdir("/tmp/rn");
    put("a", "A\n");
    put("b", "B\n");
    show("rename a b (replacing)", rename("a", "b"));
    cat("a");
    cat("b");
    show("rename to itself", rename("b", "b"));
    link("b", "b2");
    show("rename onto its own hard link", rename("b", "b2"));
    cat("b");
    printf("  links %lu\n", links("b"));
    unlink("b2");

    mkdir("d1", 0755);
    mkdir("d2", 0755);
    mkdir("d1/inner", 0755);
    put("d1/inner/f", "deep\n");
    show("rename file into a directory", rename("b", "d2/b"));
    cat("d2/b");
    printf("links of d1 %lu d2 %lu\n", links("d1"), links("d2"));
    show("rename a directory across", rename("d1/inner", "d2/inner"));
    cat("d2/inner/f");
    printf("links of d1 %lu d2 %lu\n", links("d1"), links("d2"));
    stat("d2/inner/..", &st);
    stat("d2", &st2);
    printf("  its .. is d2: %d\n", st.st_ino == st2.st_ino);
    show("rename a non-empty directory", rename("d2", "d3"));
    cat("d3/inner/f");
    cat("d3/b");

    put("file", "F\n");
    mkdir("empty", 0755);
    mkdir("full", 0755);
    put("full/x", "x\n");
    show("file over a directory", rename("file", "empty"));
    show("directory over a file", rename("empty", "file"));
    show("directory over a non-empty one", rename("empty", "full"));
    show("directory over an empty one", rename("full", "empty"));
    cat("empty/x");
    show("the old name", stat("full", &st));
    show("directory into itself", rename("d3", "d3/inner/d3"));
    show("directory onto its child", rename("d3", "d3/inner"));
    show("directory as its own name", rename("d3", "d3/"));
    show("missing source", rename("nothing", "x"));
    show("into a missing directory", rename("file", "nodir/x"));
    show("through a file", rename("file", "file/x"));
    show("file with a slash", rename("file", "file2/"));
    mkdir("/rnroot", 0755);                     /* on the root's file system, as / is */
    show("the root", rename("/", "/rnroot/x"));
    show("onto the root", rename("/rnroot", "/"));
    rmdir("/rnroot");
    show("dot", rename("d3/.", "x"));
    show("dotdot", rename("d3/..", "x"));
    show("onto dot", rename("file", "d3/."));
    show("renameat", renameat(AT_FDCWD, "file", AT_FDCWD, "d3/file"));

    put("p", "P\n");
    put("q", "Q\n");
    show("RENAME_NOREPLACE over a file", renameat2_(AT_FDCWD, "p", AT_FDCWD, "q", RENAME_NOREPLACE));
    show("RENAME_NOREPLACE to a new name", renameat2_(AT_FDCWD, "p", AT_FDCWD, "p2", RENAME_NOREPLACE));
    show("RENAME_EXCHANGE", renameat2_(AT_FDCWD, "p2", AT_FDCWD, "q", RENAME_EXCHANGE));
    cat("p2");
    cat("q");
    show("RENAME_EXCHANGE with nothing", renameat2_(AT_FDCWD, "p2", AT_FDCWD, "zz", RENAME_EXCHANGE));
    show("both flags", renameat2_(AT_FDCWD, "p2", AT_FDCWD, "q", RENAME_EXCHANGE | RENAME_NOREPLACE));

    int fd = open("q", O_RDONLY);
    put("r", "R\n");
    show("rename over an open file", rename("r", "q"));
    char buf[8];
    ssize_t n = read(fd, buf, sizeof buf);
    printf("  the open file still reads %.*s", (int)n, buf);
    close(fd);
    cat("q");

    show("unlink a directory", unlink("d3"));
    show("rmdir a file", rmdir("q"));
    show("rmdir non-empty", rmdir("d3"));
    show("rmdir dot", rmdir("empty/."));
    show("rmdir dotdot", rmdir("empty/.."));
    show("rmdir missing", rmdir("nothing"));
    show("unlink missing", unlink("nothing"));
    show("unlink through a file", unlink("q/x"));
    show("unlinkat AT_REMOVEDIR on a file", unlinkat(AT_FDCWD, "q", AT_REMOVEDIR));
    show("unlinkat bad flag", unlinkat(AT_FDCWD, "q", 1));
    show("mkdir existing", mkdir("d3", 0755));
    show("mkdir in missing", mkdir("nodir/x", 0755));
    show("rmdir a directory with a file", rmdir("empty"));
    unlink("empty/x");
    show("rmdir emptied", rmdir("empty"));
    mkdir("gone", 0755);
    chdir("gone");
    show("rmdir the working directory", rmdir("/tmp/rn/gone"));
    show("create in a removed directory", open("new", O_CREAT | O_WRONLY, 0644));
    chdir("/tmp/rn");
    return 0;
}
