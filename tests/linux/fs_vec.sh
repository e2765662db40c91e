# readv, writev, preadv, pwritev, posix_fadvise, fallocate (fs_vec.c).
/bin/fs_vec
