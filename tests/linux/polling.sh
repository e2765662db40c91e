# Waiting on many descriptors: poll, ppoll, select, pselect6 (tests/linux/polling.c).
polling
