/* File mappings: MAP_SHARED coherent with read and write, with a second mapping and with a
 * child's; msync; MAP_PRIVATE copies on write and leaves the file alone; the rights a mapping
 * may have from how the file was opened; a partly mapped last page. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIZE 8192

static void show(const char *what, int ok)
{
    printf("%s: %s\n", what, ok ? "yes" : "no");
}

int main(void)
{
    const char *name = "/tmp/mapped";
    char buf[64];
    int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);

    if (fd < 0 || ftruncate(fd, SIZE))
        return 1;
    char *a = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *b = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    show("two shared mappings", a != MAP_FAILED && b != MAP_FAILED && a != b);
    strcpy(a + 100, "written through the mapping");
    show("the other mapping sees it", strcmp(b + 100, "written through the mapping") == 0);
    memset(buf, 0, sizeof buf);
    pread(fd, buf, 27, 100);
    show("read() sees it", strcmp(buf, "written through the mapping") == 0);
    pwrite(fd, "by write()", 10, 5000);
    show("the mapping sees write()", memcmp(a + 5000, "by write()", 10) == 0);
    show("msync MS_SYNC", msync(a, SIZE, MS_SYNC) == 0);
    show("msync MS_ASYNC", msync(a, 4096, MS_ASYNC) == 0);
    errno = 0;
    show("msync both: EINVAL", msync(a, SIZE, MS_SYNC | MS_ASYNC) == -1 && errno == EINVAL);
    errno = 0;
    show("msync unaligned: EINVAL", msync(a + 1, 10, MS_SYNC) == -1 && errno == EINVAL);

    pid_t pid = fork();
    if (pid == 0) {
        strcpy(b + 6000, "from the child");
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    show("the parent sees the child's write", strcmp(a + 6000, "from the child") == 0);

    char *priv = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    show("a private mapping reads the file", strcmp(priv + 100, "written through the mapping") == 0);
    strcpy(priv + 100, "private");
    show("its write stays its own", strcmp(a + 100, "written through the mapping") == 0);
    munmap(priv, SIZE);

    struct stat st;
    fstat(fd, &st);
    show("the file's size is unchanged", st.st_size == SIZE);
    munmap(a, SIZE);
    munmap(b, SIZE);
    close(fd);

    fd = open(name, O_RDONLY);
    memset(buf, 0, sizeof buf);
    pread(fd, buf, 14, 6000);
    printf("after munmap and close, the file holds: %s\n", buf);
    errno = 0;
    show("shared and writable on a read-only descriptor: EACCES",
         mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EACCES);
    char *ro = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, fd, 0);
    show("shared and read-only on it: fine", ro != MAP_FAILED && strcmp(ro + 6000, "from the child") == 0);
    munmap(ro, SIZE);
    close(fd);

    /* a file of 5000 bytes mapped shared: the second page is partly the file's */
    fd = open(name, O_RDWR | O_TRUNC);
    ftruncate(fd, 5000);
    char *c = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    c[4999] = 'z';
    c[5000] = 'q';                      /* past EOF in the last page: not part of the file */
    fstat(fd, &st);
    memset(buf, 0, sizeof buf);
    printf("last byte %c, read past EOF gives %zd, size %lld\n", c[4999], pread(fd, buf, 10, 5000),
           (long long)st.st_size);
    munmap(c, SIZE);
    close(fd);
    unlink(name);
    return 0;
}
