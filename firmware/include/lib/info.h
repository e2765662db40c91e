/* The INFO answer (board, build, clocks), shared by the bootloader and the kernel. */
#pragma once

#include <stdint.h>

#include "lib/proto.h"

/* The 20-byte GNU build id of the running program (from its .note.gnu.build-id). */
const uint8_t *info_build_id(void);

void info_fill(struct proto_info *info, uint8_t role, uint8_t active_slot,
               uint32_t features, uint32_t timer_hz);
