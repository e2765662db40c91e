/*
 * The modem: a GSM mobile station on the real-time task layer, in its own address space at
 * priorities above everything Linux does.  Its first thread starts the task layer and the
 * stack, then serves debugd's requests: the on-target tests of the task layer and the modem
 * (KTEST()s compiled into this module, as ktest serves its own), and the modem's own requests
 * (modem_if.h).
 */
#include "l1.h"
#include "l4.h"
#include "lib/proto.h"
#include "radio.h"
#include "rr.h"
#include "rtos.h"
#include "testsrv.h"

static uint8_t window[KTEST_SHARED_SIZE] __attribute__((aligned(KTEST_SHARED_SIZE)));

int main(void)
{
    struct l4_msg m = { { 0 } };
    uint32_t err;
    l4_tid_t from;

    osKernelInitialize();                       /* the task layer's server and timer task */
    memset(window, 0, sizeof window);           /* fault the window in: it is mapped from here */
    /* The stack's tasks, then the radio, which starts the clock's and the link's tasks. */
    if (rr_init() || l1_init() || radio_init())
        l4_puts("modem: no radio link or no tasks: the modem does not run");
    from = l4_receive(L4_ANYTHREAD, &m, L4_NEVER, &err);
    for (;;) {
        struct l4_msg reply = { { L4_TAG(0, 3, 0) } };

        if (err || testsrv_serve(L4_TAG_LABEL(m.mr[0]), m.mr[1], window, &reply)) {
            from = l4_receive(L4_ANYTHREAD, &m, L4_NEVER, &err);
            continue;
        }
        l4_utcb()->br[0] = L4_NILPAGE;
        from = l4_reply_wait(from, &reply, &err);
        m = reply;
    }
}

extern const char __image_start[], __build_id[];

/* The CRC-32 of the modem's code and constants as they are in its memory now; the host holds it
 * to the same bytes of modem.elf, before and after a hostile server's attempts
 * (tests/target/test_isolation.py). */
KTEST(test_modem_image_crc, "modem.image_crc")
{
    r->value = crc32(__image_start, (size_t)(__build_id - __image_start));
}

KTEST(test_modem_alive, "modem.alive")
{
    r->value = L4_TID_NUMBER(l4_myself());
    CHECK(r, l4_utcb()->my_id == l4_myself(), "UTCB names another thread");
out:
    return;
}
