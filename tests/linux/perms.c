/* Permissions for a user who is not root, as Linux checks them: reading, writing and executing
 * by owner, group and others; searching directories; creating and removing in them, the sticky
 * directory; chmod, chown and times by owner or not; access() by the real IDs; root's bypass
 * except for executing a file with no execute bit. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define D "/tmp/perms"

static void say(const char *what, int r)
{
    printf("%-40s %s\n", what, r < 0 ? strerror(errno) : "ok");
}

static int try_open(const char *path, int flags)
{
    int fd = open(path, flags, 0644);
    if (fd >= 0)
        close(fd);
    return fd;
}

/* Run `body` as user `uid`, group `gid` (with `group` as its one supplementary group). */
#define AS(uid, gid, group, body) do {                                                  \
        fflush(stdout);                                                                 \
        pid_t pid = fork();                                                             \
        if (pid == 0) {                                                                 \
            gid_t g[1] = { group };                                                     \
            if (setgroups(1, g) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid)) \
                _exit(99);                                                              \
            body;                                                                       \
            fflush(stdout);                                                             \
            _exit(0);                                                                   \
        }                                                                               \
        waitpid(pid, NULL, 0);                                                          \
    } while (0)

int main(void)
{
    umask(0);
    mkdir(D, 0755);
    chmod(D, 0755);
    int fd = open(D "/mine", O_CREAT | O_WRONLY, 0600);
    write(fd, "root's\n", 7);
    close(fd);
    fd = open(D "/shared", O_CREAT | O_WRONLY, 0664);
    close(fd);
    chown(D "/shared", 0, 50);
    fd = open(D "/tool", O_CREAT | O_WRONLY, 0754);
    write(fd, "#!/bin/sh\necho tool ran\n", 24);
    close(fd);
    chown(D "/tool", 1000, 50);
    mkdir(D "/closed", 0700);
    mkdir(D "/open", 0777);
    mkdir(D "/sticky", 01777);
    mkdir(D "/home", 0755);
    chown(D "/home", 1000, 1000);
    fd = open(D "/closed/inside", O_CREAT | O_WRONLY, 0644);
    close(fd);

    printf("-- as user 1000, group 1000, also in 50\n");
    AS(1000, 1000, 50, {
        say("read root's 0600 file", try_open(D "/mine", O_RDONLY));
        say("read group-writable file", try_open(D "/shared", O_RDONLY));
        say("write group-writable file", try_open(D "/shared", O_WRONLY));
        say("write own 0754 file", try_open(D "/tool", O_WRONLY));
        say("create in root's 0755 directory", try_open(D "/new", O_CREAT | O_WRONLY));
        say("create in 0777 directory", try_open(D "/open/new", O_CREAT | O_WRONLY));
        say("stat inside a 0700 directory", stat(D "/closed/inside", &(struct stat){ 0 }));
        say("list a 0700 directory", open(D "/closed", O_RDONLY | O_DIRECTORY));
        say("chdir into a 0700 directory", chdir(D "/closed"));
        say("mkdir in own directory", mkdir(D "/home/sub", 0700));
        say("unlink in root's directory", unlink(D "/shared"));
        say("create in sticky directory", try_open(D "/sticky/user-file", O_CREAT | O_WRONLY));
        say("chmod root's file", chmod(D "/mine", 0666));
        say("chmod own file", chmod(D "/tool", 0755));
        say("chown own file to root", chown(D "/tool", 0, -1));
        say("chgrp own file to a group it is in", chown(D "/tool", -1, 1000));
        say("chgrp own file to another group", chown(D "/tool", -1, 7));
        say("set times of root's file", utimes(D "/shared", (struct timeval[2]){ { 1, 0 }, { 2, 0 } }));
        say("touch (now) group-writable file", utimes(D "/shared", NULL));
        say("access R_OK root's 0600 file", access(D "/mine", R_OK));
        say("access W_OK group-writable file", access(D "/shared", W_OK));
        say("access X_OK own tool", access(D "/tool", X_OK));
        say("truncate root's 0600 file", truncate(D "/mine", 0));
        say("rename into root's directory", rename(D "/open/new", D "/moved"));
        say("rename within 0777 directory", rename(D "/open/new", D "/open/renamed"));
        struct stat st = { 0 };
        stat(D "/open/renamed", &st);
        printf("new file: uid %u gid %u mode %o\n", st.st_uid, st.st_gid, st.st_mode & 07777);
    });
    printf("-- as user 2000, group 2000\n");
    AS(2000, 2000, 2000, {
        say("remove another's file in sticky dir", unlink(D "/sticky/user-file"));
        say("remove another's file in 0777 dir", unlink(D "/open/renamed"));
        say("read others-readable file", try_open(D "/shared", O_RDONLY));
        say("write others-read-only file", try_open(D "/shared", O_WRONLY));
        say("exec a 0754 file as other", execl(D "/tool", "tool", NULL));
    });
    printf("-- as root\n");
    say("root reads a 0600 file of its own", try_open(D "/mine", O_RDONLY));
    chmod(D "/mine", 0000);
    say("root reads a 0000 file", try_open(D "/mine", O_RDONLY));
    say("root access X_OK of a 0000 file", access(D "/mine", X_OK));
    say("root removes in a 0700 directory", unlink(D "/closed/inside"));
    chmod(D "/tool", 0644);
    say("root executes a file without x", execl(D "/tool", "tool", NULL));
    return 0;
}
