/* The INFO answer (see include/lib/info.h). */
#include "board.h"
#include "lib/info.h"
#include "lib/string.h"

#ifndef FW_VERSION
#define FW_VERSION "unknown"
#endif

/* The linker places the build-id note here: namesz, descsz, type, "GNU\0", then the id. */
extern const uint8_t __build_id[];

const uint8_t *info_build_id(void)
{
    return __build_id + 16;
}

static void copy_text(uint8_t *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap);
    memset(dst, 0, cap);
    memcpy(dst, src, n);
}

void info_fill(struct proto_info *info, uint8_t role, uint8_t active_slot,
               uint32_t features, uint32_t timer_hz)
{
    memset(info, 0, sizeof *info);
    info->proto_version = PROTO_VERSION;
    info->role = role;
    info->active_slot = active_slot;
    info->features = features;
    info->cycle_hz = BOARD_CYCLE_HZ;
    info->timer_hz = timer_hz;
    info->max_payload = PROTO_MAX_PAYLOAD;
    copy_text(info->board, sizeof info->board, BOARD_NAME);
    memcpy(info->build_id, info_build_id(), PROTO_BUILD_ID_LEN);
    copy_text(info->version, sizeof info->version, FW_VERSION);
}
