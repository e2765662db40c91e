# Permissions for a user who is not root (tests/linux/perms.c), and from the shell.
rm -rf /tmp/perms
perms
ls -l /tmp/perms | grep -v '^total' | awk '{ print $1, $3, $4, $NF }'
rm -rf /tmp/perms
