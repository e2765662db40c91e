/* execve's limits as Linux has them: 2 MiB of argument and environment strings with their
 * pointers (a quarter of the 8 MiB stack), 128 KiB for one string; E2BIG beyond.  The new
 * program gets every string intact. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run `/bin/argmax check` with `argc` strings of `len` bytes each (and one environment string
 * of `envlen`): what execve said, or what the new program counted. */
static void try(const char *what, int argc, int len, int envlen)
{
    char **argv = calloc(argc + 3, sizeof *argv);
    char *envp[2] = { NULL, NULL };
    char *s = malloc(len + 1), *e = malloc(envlen + 6);
    int status;

    memset(s, 'a', len);
    s[len] = 0;
    argv[0] = "/bin/argmax";
    argv[1] = "check";
    for (int i = 0; i < argc; i++)
        argv[2 + i] = s;
    if (envlen) {
        memcpy(e, "BIG=", 4);
        memset(e + 4, 'e', envlen);
        e[4 + envlen] = 0;
        envp[0] = e;
    }
    printf("%s:", what);
    pid_t pid = fork();
    if (pid == 0) {
        execve("/bin/argmax", argv, envp);
        printf(" execve: %s\n", strerror(errno));
        _exit(99);
    }
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || (WEXITSTATUS(status) != 99 && WEXITSTATUS(status) != 0))
        printf(" status %x\n", status);
    free(argv);
    free(s);
    free(e);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1 && !strcmp(argv[1], "check")) {
        /* every string as it was sent: count them and their bytes */
        long bytes = 0;
        int good = 1;
        for (int i = 2; i < argc; i++) {
            bytes += strlen(argv[i]);
            good &= argv[i][0] == 'a' && argv[i][strlen(argv[i]) - 1] == 'a';
        }
        const char *big = getenv("BIG");
        printf(" ran: %d strings, %ld bytes%s, environment %zu bytes\n", argc - 2, bytes,
               good ? "" : " (damaged)", big ? strlen(big) : 0);
        return 0;
    }
    try("small", 3, 10, 0);
    try("100 of 1000", 100, 1000, 0);
    try("one of 131071", 1, 131071, 0);
    try("one of 131072", 1, 131072, 0);
    try("environment of 131000", 1, 5, 131000);
    try("environment of 140000", 1, 5, 140000);
    try("12 of 131000", 12, 131000, 0);
    try("15 of 131000", 15, 131000, 0);
    try("17 of 131000", 17, 131000, 0);
    try("20000 of 9", 20000, 9, 0);
    try("300000 of 1", 300000, 1, 0);
    return 0;
}
