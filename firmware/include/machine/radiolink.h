/*
 * The radio link: the byte stream between the modem's radio front end and the host's
 * air-interface simulator, a channel of its own beside the debug link, so console traffic can
 * never delay the radio's samples.  The board supplies it (qemu-virt: a port of a virtio serial device);
 * the modem's link thread drives it from user mode, single-threaded.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Find the device, map it and its buffers (from sigma0), start it.  0, or -1 when the board
 * has no radio link (then nothing else here may be called). */
int radiolink_init(void);
/* The interrupt line that announces received data and finished transmissions. */
unsigned radiolink_irq(void);
/* Acknowledge the device's interrupt, before draining (so nothing that arrives after is lost). */
void radiolink_irq_ack(void);
/* Hand each received chunk, in order, to `take`; the buffers go back to the device after.
 * Returns the bytes taken. */
size_t radiolink_poll(void (*take)(const uint8_t *data, size_t len));
/* Queue `len` bytes (copied) for transmission.  When the device has no room (the host is
 * reading slower than the modem writes), `wait` (radiolink_set_wait) is called until it has
 * room or `wait` returns false; then, or with no `wait`, the bytes are dropped and counted and
 * -1 returned.  0 when queued. */
int radiolink_write(const void *data, size_t len);
void radiolink_set_wait(bool (*wait)(void));

struct radiolink_stats {
    uint32_t rx_bytes, tx_bytes, tx_dropped;
};
extern struct radiolink_stats radiolink_stats;
