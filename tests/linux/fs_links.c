/* Hard and symbolic links through the system calls: link counts, following (intermediate
 * components, relative targets, absolute ones), dangling links, loops and the 40-link limit,
 * O_NOFOLLOW, lstat, readlink, and a file unlinked while open. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
        printf("cat %s: %s\n", name, strerror(errno));
    else
        printf("cat %s: %.*s", name, (int)n, buf);
    if (fd >= 0)
        close(fd);
}

static const char *type(mode_t m)
{
    return S_ISLNK(m) ? "link" : S_ISDIR(m) ? "dir" : S_ISREG(m) ? "file" : "other";
}

int main(int argc, char **argv)
{
    struct stat st, st2;

    if (argc > 1) {                             /* run again through /proc/self/exe */
        printf("again through /proc/self/exe, as %s\n", argv[1]);
        return 0;
    }
    char buf[256], name[16], prev[16];
    ssize_t n;

    mkdir("/tmp/lk", 0755);
    chdir("/tmp/lk");
    put("f", "hello\n");

    show("link f g", link("f", "g"));
    stat("f", &st);
    printf("nlink %lu\n", (unsigned long)st.st_nlink);
    show("link f g again", link("f", "g"));
    show("link of a directory", link(".", "d2"));
    show("link of nothing", link("nothere", "x"));
    show("link into nowhere", link("f", "no/x"));
    show("linkat", linkat(AT_FDCWD, "f", AT_FDCWD, "h", 0));
    stat("g", &st);
    stat("h", &st2);
    printf("nlink %lu, same inode %d\n", (unsigned long)st.st_nlink, st.st_ino == st2.st_ino);
    show("unlink f", unlink("f"));
    stat("g", &st);
    printf("nlink after unlink %lu\n", (unsigned long)st.st_nlink);
    cat("h");

    show("symlink s -> g", symlink("g", "s"));
    n = readlink("s", buf, sizeof buf);
    printf("readlink s: %.*s (%zd)\n", (int)n, buf, n);
    lstat("s", &st);
    printf("lstat s: %s size %lld\n", type(st.st_mode), (long long)st.st_size);
    stat("s", &st);
    printf("stat s: %s size %lld\n", type(st.st_mode), (long long)st.st_size);
    fstatat(AT_FDCWD, "s", &st, AT_SYMLINK_NOFOLLOW);
    printf("fstatat nofollow: %s\n", type(st.st_mode));
    show("readlink of a file", readlink("g", buf, sizeof buf));
    show("readlink of nothing", readlink("none", buf, sizeof buf));
    show("symlink over a name", symlink("x", "s"));
    show("symlink to empty", symlink("", "e"));
    cat("s");

    show("symlink dangling", symlink("missing", "dangle"));
    show("open dangling", open("dangle", O_RDONLY));
    show("lstat dangling", lstat("dangle", &st));
    show("stat dangling", stat("dangle", &st));
    int fd = open("dangle", O_CREAT | O_WRONLY, 0644);
    show("creat through dangling", fd);
    close(fd);
    show("the target now exists", stat("missing", &st));
    show("O_CREAT|O_EXCL on a link", open("s", O_CREAT | O_EXCL | O_WRONLY, 0644));
    show("O_NOFOLLOW on a link", open("s", O_RDONLY | O_NOFOLLOW));
    show("O_NOFOLLOW on a file", fd = open("g", O_RDONLY | O_NOFOLLOW));
    close(fd);

    symlink("l2", "l1");
    symlink("l1", "l2");
    show("open a loop", open("l1", O_RDONLY));
    show("stat a loop", stat("l1", &st));
    show("lstat a loop", lstat("l1", &st));
    /* c0 -> g, c1 -> c0 ... : 40 links are followed, the 41st is one too many */
    symlink("g", "c0");
    for (int i = 1; i <= 40; i++) {
        snprintf(name, sizeof name, "c%d", i);
        snprintf(prev, sizeof prev, "c%d", i - 1);
        symlink(prev, name);
    }
    show("open through 40 links", fd = open("c39", O_RDONLY));
    close(fd);
    show("open through 41 links", open("c40", O_RDONLY));

    mkdir("dir", 0755);
    mkdir("dir/sub", 0755);
    show("symlink to a directory", symlink("dir", "dl"));
    put("dl/file", "via link\n");
    cat("dir/file");
    show("relative target with ..", symlink("../../g", "dir/sub/up"));
    cat("dir/sub/up");
    cat("dl/sub/up");
    show("absolute target", symlink("/tmp/lk/dl/sub", "abs"));
    cat("abs/up");
    cat("abs/../file");
    show("a file's link with a slash", open("s/", O_RDONLY));
    show("stat of it", stat("s/", &st));
    show("a directory's link with a slash", stat("dl/", &st));
    lstat("dl/", &st);
    printf("lstat dl/: %s\n", type(st.st_mode));
    show("chdir through a link", chdir("dl/sub"));
    getcwd(buf, sizeof buf);
    printf("cwd %s\n", buf);
    chdir("/tmp/lk");
    show("rmdir through a link", rmdir("dl"));
    show("unlink the link", unlink("dl"));
    show("the directory stays", stat("dir/file", &st));

    fd = open("h", O_RDONLY);
    unlink("h");
    unlink("g");
    show("h and g gone", stat("h", &st));
    n = read(fd, buf, sizeof buf);
    printf("read after unlink: %.*s", (int)n, buf);
    fstat(fd, &st);
    printf("nlink of the open file %lu\n", (unsigned long)st.st_nlink);
    close(fd);
    cat("s");

    n = readlink("/proc/self/exe", buf, sizeof buf);
    printf("/proc/self/exe: %.*s\n", (int)n, buf);
    fd = open("/proc/self/exe", O_RDONLY);
    n = read(fd, buf, 4);
    printf("it opens: %d %.3s\n", (int)n, buf + 1);
    close(fd);
    lstat("/proc/self/exe", &st);
    printf("lstat /proc/self/exe: %s\n", type(st.st_mode));
    fflush(stdout);
    char *again[] = { "fs_links", "child", NULL };
    execv("/proc/self/exe", again);
    printf("execv /proc/self/exe: %s\n", strerror(errno));
    return 1;
}
