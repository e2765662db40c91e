# memfd_create, copy_file_range, splice, lseek's SEEK_DATA and SEEK_HOLE, preadv2 and pwritev2 (fs_copy.c).
/bin/fs_copy
