# Credentials: the set*id family from root and from an unprivileged process, and id(1).
/bin/creds
id -u; id -g; id -G
