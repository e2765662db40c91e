# Shared and private file mappings (tests/linux/mmap_shared.c).
mmap_shared
echo "exit $?"
