/*
 * See netman_ring.h.
 */
#include <string.h>

#include "netman_ring.h"

static size_t length_at(const netman_ring_t *ring, size_t at) {
    const uint8_t *p = ring->buf + at;
    return ring->wide ? (size_t)(p[0] | p[1] << 8) : p[0];
}

void netman_ring_init(netman_ring_t *ring, uint8_t *buf, size_t size, uint8_t head, bool wide) {
    ring->buf = buf;
    ring->size = size;
    ring->read = ring->write = ring->used = 0;
    ring->head = head;
    ring->wide = wide;
}

uint8_t *netman_ring_put(netman_ring_t *ring, size_t len) {
    size_t need = ring->head + len;
    size_t tail = ring->size - ring->write;     // room before the end
    size_t skip = tail < need ? tail : 0;       // wasted when the record restarts at 0
    if (ring->buf == NULL || ring->used + skip + need > ring->size) {
        return NULL;
    }
    if (skip) {
        // "The rest of the buffer is empty" (a tail too short for a length
        // is recognised by its size).
        memset(ring->buf + ring->write, 0, tail < ring->head ? tail : ring->head);
        ring->used += skip;
        ring->write = 0;
    }
    uint8_t *rec = ring->buf + ring->write;
    rec[0] = (uint8_t)len;
    if (ring->wide) {
        rec[1] = (uint8_t)(len >> 8);
    }
    ring->write = (ring->write + need) % ring->size;
    ring->used += need;
    return rec;
}

const uint8_t *netman_ring_peek(netman_ring_t *ring, size_t *len) {
    if (ring->used == 0) {
        return NULL;
    }
    if (ring->size - ring->read < ring->head || length_at(ring, ring->read) == 0) {
        // A skipped tail: the next record is at the beginning.
        ring->used -= ring->size - ring->read;
        ring->read = 0;
    }
    *len = length_at(ring, ring->read);
    return ring->buf + ring->read;
}

void netman_ring_pop(netman_ring_t *ring) {
    size_t len;
    if (netman_ring_peek(ring, &len) == NULL) {
        return;
    }
    ring->read = (ring->read + ring->head + len) % ring->size;
    ring->used -= ring->head + len;
    if (ring->used == 0) {
        ring->read = ring->write = 0;
    }
}
