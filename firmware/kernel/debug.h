/* The kernel's debug-link commands (HELLO, PING, READ_MEM, RESET). */
#pragma once

#include <stdint.h>

/* Announce the kernel to the host with an unsolicited INFO. */
void debug_announce(uint32_t boot_slot);
