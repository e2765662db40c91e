# Hundreds of anonymous mappings and mprotect calls in one process, then fork (mm_regions.c).
/bin/mm_regions
