# mmap's addresses are reused after munmap and never land on what is mapped (tests/linux/mmap_reuse.c).
mmap_reuse
echo "exit $?"
