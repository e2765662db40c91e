/*
 * The radio link on a virtio serial port (virtio-mmio, legacy interface: version 1), from user
 * mode: the device's registers are a page from sigma0, mapped uncached; its queues and buffers
 * are pages from sigma0 mapped at their physical addresses, so the addresses the device is
 * given are the ones we use.
 *
 * The link is port RADIO_PORT of a multiport device, not the console port 0: QEMU drops what a
 * console's host side cannot take at once, while it holds a port's transmit queue until the
 * host has room (flow control: a slow reader makes radiolink_write wait, it never loses bytes).
 * Multiport costs the control queues: we send DEVICE_READY, PORT_READY and PORT_OPEN for our
 * port once at start and ignore what the device says back (it tells us when the host side
 * connects; the port's queues work whether or not it has).
 *
 * Receive: every buffer of the pool stays posted to the device except while radiolink_poll()
 * hands its bytes on.  Transmit: a frame is copied into a free buffer and posted; buffers the
 * device has used are reclaimed on the next write.  Invariant: each buffer is either owned by
 * the device (posted, not yet in the used ring) or by us, never both.
 */
#include "board.h"
#include "l4.h"
#include "lib/string.h"
#include "machine/radiolink.h"

/* virtio-mmio registers (legacy layout) */
#define VIO_MAGIC           0x000       /* "virt" */
#define VIO_VERSION         0x004
#define VIO_DEVICE_ID       0x008
#define VIO_HOST_FEATURES   0x010
#define VIO_HOST_FEAT_SEL   0x014
#define VIO_GUEST_FEATURES  0x020
#define VIO_GUEST_PAGE_SIZE 0x028
#define VIO_QUEUE_SEL       0x030
#define VIO_QUEUE_NUM_MAX   0x034
#define VIO_QUEUE_NUM       0x038
#define VIO_QUEUE_ALIGN     0x03c
#define VIO_QUEUE_PFN       0x040
#define VIO_QUEUE_NOTIFY    0x050
#define VIO_INT_STATUS      0x060
#define VIO_INT_ACK         0x064
#define VIO_STATUS          0x070

#define VIO_MAGIC_VALUE     0x74726976u
#define VIO_ID_CONSOLE      3u
#define STATUS_ACK          1u
#define STATUS_DRIVER       2u
#define STATUS_DRIVER_OK    4u

#define DESC_F_WRITE        2u          /* the device writes this buffer */

#define QSIZE               16u         /* descriptors per queue: one buffer each */
#define QALIGN              8u          /* the used ring's alignment: the queue fits one page */
#define BUF_SIZE            4096u

#define F_MULTIPORT         (1u << 1)   /* VIRTIO_CONSOLE_F_MULTIPORT */
#define RADIO_PORT          1u          /* `virtserialport,nr=1` in the board's QEMU arguments */
/* Queues: port 0's pair, the control pair, then a pair per port from 1. */
#define CTRL_TXQ            3u
#define RXQ                 (2u + 2u * RADIO_PORT)
#define TXQ                 (3u + 2u * RADIO_PORT)

/* Control messages (virtio 1.x, 5.3.6.2), device-endian: little on this board. */
enum { CTRL_DEVICE_READY = 0, CTRL_PORT_READY = 3, CTRL_PORT_OPEN = 6 };
struct ctrl_msg {
    uint32_t id;
    uint16_t event, value;
};

struct vq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};

struct vq_avail {
    uint16_t flags, idx;
    uint16_t ring[QSIZE];
    uint16_t used_event;
};

struct vq_used {
    uint16_t flags, idx;
    struct { uint32_t id, len; } ring[QSIZE];
    uint16_t avail_event;
};

struct vq {
    volatile struct vq_desc *desc;
    volatile struct vq_avail *avail;
    volatile struct vq_used *used;
    uint16_t last_used;                 /* used entries we have taken */
    uint16_t free[QSIZE], nfree;        /* transmit: descriptors we own */
    uint8_t *buf[QSIZE];
};

/* The legacy layout puts the used ring after the available ring aligned to QALIGN; the spec
 * counts used_event in the available ring, QEMU does not.  With 8-byte alignment both land on
 * the same offset (with 4 they differ by 4 bytes and the device writes where we do not read). */
#define USED_OFFSET(avail_bytes) ((QSIZE * sizeof(struct vq_desc) + (avail_bytes) + QALIGN - 1) & ~(QALIGN - 1))
_Static_assert(USED_OFFSET(sizeof(struct vq_avail)) == USED_OFFSET(sizeof(struct vq_avail) - 2),
               "the used ring's offset does not depend on who counts used_event");
_Static_assert(QSIZE * sizeof(struct vq_desc) + sizeof(struct vq_avail) + QALIGN +
               sizeof(struct vq_used) <= L4_PAGE_SIZE, "a queue fits one page");

static volatile uint32_t *regs;
static unsigned transport;
static struct vq rxq, txq;
struct radiolink_stats radiolink_stats;

static inline uint32_t rd(unsigned off) { return regs[off / 4]; }
static inline void wr(unsigned off, uint32_t v) { regs[off / 4] = v; }
static inline void barrier(void) { __asm__ volatile("dsb" ::: "memory"); }

/* Queue `index` on a page of its own with `nbuf` one-page buffers (the rest of q->buf empty). */
static int vq_setup(struct vq *q, unsigned index, int device_writes, unsigned nbuf)
{
    uint32_t page = l4_sigma0_page(), used_off;

    if (!page)
        return -1;
    memset((void *)page, 0, L4_PAGE_SIZE);
    wr(VIO_QUEUE_SEL, index);
    if (rd(VIO_QUEUE_NUM_MAX) < QSIZE || rd(VIO_QUEUE_PFN) != 0)
        return -1;
    q->desc = (volatile struct vq_desc *)page;
    q->avail = (volatile struct vq_avail *)(page + QSIZE * sizeof(struct vq_desc));
    used_off = USED_OFFSET(sizeof(struct vq_avail));
    q->used = (volatile struct vq_used *)(page + used_off);
    for (unsigned i = 0; i < nbuf; i++) {
        uint32_t b = l4_sigma0_page();
        if (!b)
            return -1;
        q->buf[i] = (uint8_t *)b;
        q->desc[i].addr = b;
        q->desc[i].len = BUF_SIZE;
        q->desc[i].flags = device_writes ? DESC_F_WRITE : 0;
        q->desc[i].next = 0;
    }
    wr(VIO_QUEUE_NUM, QSIZE);
    wr(VIO_QUEUE_ALIGN, QALIGN);
    wr(VIO_QUEUE_PFN, page / L4_PAGE_SIZE);
    return 0;
}

/* Tell the device we are up and our port is open: three control messages in one buffer, posted
 * together; the device acts on them in order as it takes them. */
static int control_open_port(void)
{
    static const struct ctrl_msg msgs[] = {
        { 0, CTRL_DEVICE_READY, 1 },
        { RADIO_PORT, CTRL_PORT_READY, 1 },
        { RADIO_PORT, CTRL_PORT_OPEN, 1 },
    };
    struct vq ctrl = { 0 };
    const unsigned n = sizeof msgs / sizeof msgs[0];

    if (vq_setup(&ctrl, CTRL_TXQ, 0, 1))
        return -1;
    memcpy(ctrl.buf[0], msgs, sizeof msgs);
    for (unsigned i = 0; i < n; i++) {
        ctrl.desc[i].addr = (uint32_t)ctrl.buf[0] + i * sizeof msgs[0];
        ctrl.desc[i].len = sizeof msgs[0];
        ctrl.desc[i].flags = 0;
        ctrl.avail->ring[i] = (uint16_t)i;
    }
    barrier();
    ctrl.avail->idx = (uint16_t)n;
    barrier();
    wr(VIO_QUEUE_NOTIFY, CTRL_TXQ);
    return 0;
}

int radiolink_init(void)
{
    uint32_t window = BOARD_VIRTIO_BASE & ~(L4_PAGE_SIZE - 1);
    uint32_t span = BOARD_VIRTIO_COUNT * BOARD_VIRTIO_STRIDE;
    unsigned log2 = 12;

    while ((1u << log2) < span)
        log2++;
    if (l4_sigma0_request(L4_FPAGE(window, log2, L4_READ | L4_WRITE), L4_COMPLETE))
        return -1;
    for (transport = 0; transport < BOARD_VIRTIO_COUNT; transport++) {
        regs = (volatile uint32_t *)(BOARD_VIRTIO_BASE + transport * BOARD_VIRTIO_STRIDE);
        if (rd(VIO_MAGIC) == VIO_MAGIC_VALUE && rd(VIO_VERSION) == 1 &&
            rd(VIO_DEVICE_ID) == VIO_ID_CONSOLE)
            break;
    }
    if (transport == BOARD_VIRTIO_COUNT)
        return -1;
    wr(VIO_STATUS, 0);                                  /* reset */
    wr(VIO_STATUS, STATUS_ACK);
    wr(VIO_STATUS, STATUS_ACK | STATUS_DRIVER);
    wr(VIO_HOST_FEAT_SEL, 0);
    if (!(rd(VIO_HOST_FEATURES) & F_MULTIPORT))
        return -1;
    wr(VIO_GUEST_FEATURES, F_MULTIPORT);
    wr(VIO_GUEST_PAGE_SIZE, L4_PAGE_SIZE);
    if (vq_setup(&rxq, RXQ, 1, QSIZE) || vq_setup(&txq, TXQ, 0, QSIZE))
        return -1;
    /* every receive buffer to the device; every transmit buffer ours */
    for (uint16_t i = 0; i < QSIZE; i++) {
        rxq.avail->ring[i] = i;
        txq.free[i] = i;
    }
    txq.nfree = QSIZE;
    barrier();
    rxq.avail->idx = QSIZE;
    wr(VIO_STATUS, STATUS_ACK | STATUS_DRIVER | STATUS_DRIVER_OK);
    barrier();
    if (control_open_port())
        return -1;
    wr(VIO_QUEUE_NOTIFY, RXQ);
    return 0;
}

unsigned radiolink_irq(void)
{
    return BOARD_IRQ_VIRTIO0 + transport;
}

void radiolink_irq_ack(void)
{
    wr(VIO_INT_ACK, rd(VIO_INT_STATUS));
}

size_t radiolink_poll(void (*take)(const uint8_t *data, size_t len))
{
    size_t total = 0;
    int posted = 0;

    while (rxq.last_used != rxq.used->idx) {
        uint16_t slot = rxq.last_used % QSIZE;
        uint32_t id = rxq.used->ring[slot].id, len = rxq.used->ring[slot].len;

        barrier();
        if (id < QSIZE) {
            take(rxq.buf[id], len < BUF_SIZE ? len : BUF_SIZE);
            total += len;
            rxq.avail->ring[rxq.avail->idx % QSIZE] = (uint16_t)id;
            barrier();
            rxq.avail->idx++;
            posted = 1;
        }
        rxq.last_used++;
    }
    if (posted) {
        barrier();
        wr(VIO_QUEUE_NOTIFY, RXQ);
    }
    radiolink_stats.rx_bytes += total;
    return total;
}

static void tx_reclaim(void)
{
    while (txq.last_used != txq.used->idx) {
        uint32_t id = txq.used->ring[txq.last_used % QSIZE].id;
        if (id < QSIZE && txq.nfree < QSIZE)
            txq.free[txq.nfree++] = (uint16_t)id;
        txq.last_used++;
    }
}

static bool (*tx_wait)(void);

void radiolink_set_wait(bool (*wait)(void))
{
    tx_wait = wait;
}

int radiolink_write(const void *data, size_t len)
{
    const uint8_t *p = data;

    while (len) {
        size_t n = len < BUF_SIZE ? len : BUF_SIZE;
        uint16_t id;

        tx_reclaim();
        while (txq.nfree == 0 && tx_wait && tx_wait())
            tx_reclaim();
        if (txq.nfree == 0) {
            radiolink_stats.tx_dropped += (uint32_t)len;
            return -1;
        }
        id = txq.free[--txq.nfree];
        memcpy(txq.buf[id], p, n);
        txq.desc[id].len = (uint32_t)n;
        txq.avail->ring[txq.avail->idx % QSIZE] = id;
        barrier();
        txq.avail->idx++;
        barrier();
        wr(VIO_QUEUE_NOTIFY, TXQ);
        radiolink_stats.tx_bytes += (uint32_t)n;
        p += n;
        len -= n;
    }
    return 0;
}
