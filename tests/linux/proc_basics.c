/* Processes, pipes and files: fork, exec, wait, a pipe between a parent and a child, a file in
 * /tmp written and read back, a directory listed, and the exit statuses that come back. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    int fds[2], status;
    char buf[64];

    setvbuf(stdout, NULL, _IONBF, 0);
    printf("pid is %d\n", getpid() > 0);

    /* fork, exit status */
    pid_t pid = fork();
    if (pid == 0)
        _exit(42);
    waitpid(pid, &status, 0);
    printf("child exited: %d status %d\n", WIFEXITED(status), WEXITSTATUS(status));

    /* a pipe from a child to us */
    if (pipe(fds))
        return 1;
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        const char *msg = "through the pipe";
        write(fds[1], msg, strlen(msg));
        _exit(0);
    }
    close(fds[1]);
    ssize_t n = read(fds[0], buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("read %zd: %s\n", n, buf);
    printf("then end of file: %zd\n", read(fds[0], buf, sizeof buf));
    waitpid(pid, &status, 0);

    /* copy-on-write: the child's change stays in the child */
    static int shared = 1;
    pid = fork();
    if (pid == 0) {
        shared = 2;
        _exit(shared);
    }
    waitpid(pid, &status, 0);
    printf("child saw %d, parent still %d\n", WEXITSTATUS(status), shared);

    /* files in /tmp */
    int fd = open("/tmp/note", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    write(fd, "hello file\n", 11);
    close(fd);
    fd = open("/tmp/note", O_RDONLY);
    n = read(fd, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    close(fd);
    struct stat st;
    stat("/tmp/note", &st);
    printf("file: %s size %ld regular %d\n", strtok(buf, "\n"), (long)st.st_size, S_ISREG(st.st_mode));
    printf("missing: %d %s\n", open("/tmp/nothing", O_RDONLY), strerror(errno));

    /* exec */
    pid = fork();
    if (pid == 0) {
        char *argv[] = { "/bin/hello", "one", "two", NULL };
        execv("/bin/hello", argv);
        _exit(99);
    }
    waitpid(pid, &status, 0);
    printf("exec'd program exited with %d\n", WEXITSTATUS(status));

    /* wait with no children */
    printf("wait with no children: %d %s\n", wait(&status), strerror(errno));
    return 0;
}
