# Memory rights: mprotect and PROT_NONE mappings
mprotect
