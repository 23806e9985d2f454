/*
 * A ring of variable-length records in one buffer, filled from driver
 * context and read on the MicroPython thread, neither side allocating. The
 * caller holds the HAL lock around every call.
 *
 * A record is a fixed head (its first one or two bytes the payload length,
 * never 0) and the payload. A record never wraps: when it does not fit before
 * the end of the buffer, the rest is skipped (a zero length marks it) and the
 * record starts at the beginning. A full ring takes nothing: the caller
 * counts the drop.
 */
#ifndef NETMAN_RING_H
#define NETMAN_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t *buf;
    size_t size;
    size_t read;                // offset of the oldest record
    size_t write;               // offset where the next record goes
    size_t used;                // bytes in use, skipped tails included
    uint8_t head;               // bytes before the payload, the length included
    bool wide;                  // a 2-byte length (little endian), else 1 byte
} netman_ring_t;

void netman_ring_init(netman_ring_t *ring, uint8_t *buf, size_t size, uint8_t head, bool wide);
// Room for a record with a `len`-byte payload (len >= 1): its start, length
// already written, or NULL when the ring is full.
uint8_t *netman_ring_put(netman_ring_t *ring, size_t len);
// The oldest record (NULL if none) and its payload length.
const uint8_t *netman_ring_peek(netman_ring_t *ring, size_t *len);
// Remove the oldest record.
void netman_ring_pop(netman_ring_t *ring);
static inline bool netman_ring_any(const netman_ring_t *ring) {
    return ring->used != 0;
}

#endif // NETMAN_RING_H
