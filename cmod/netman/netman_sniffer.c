/*
 * The sniffer in the core: frames go from driver context through the filter
 * into a ring (netman_ring.c) and are read on the MicroPython thread, neither
 * side allocating. A full ring drops the newest frame and counts it.
 *
 * Record: the ring's 2-byte length (bytes kept), netman_sniffer_meta_t, then
 * the first bytes of the frame (at most snaplen).
 */
#include <string.h>

#include "py/mphal.h"
#include "py/runtime.h"

#include "netman_burst.h"
#include "netman_core.h"
#include "netman_ring.h"

// The ring's storage and the burst callback live on the GC heap.
MP_REGISTER_ROOT_POINTER(void *netman_sniffer_ring);
MP_REGISTER_ROOT_POINTER(void *netman_sniffer_burst);

static netman_ring_t ring;
static bool active;
static netman_frame_filter_t filter;
static uint16_t snaplen;
static netman_sniffer_stats_t stats;

void netman_sniffer_start_locked(void *storage, size_t size, const netman_frame_filter_t *wanted, uint16_t cap) {
    MP_STATE_VM(netman_sniffer_ring) = storage;
    netman_ring_init(&ring, storage, size, NETMAN_SNIFFER_RECORD_HEAD, true);
    filter = *wanted;
    snaplen = cap;
    memset(&stats, 0, sizeof(stats));
    active = true;
}

void netman_sniffer_stop_locked(void) {
    active = false;
    MP_STATE_VM(netman_sniffer_ring) = NULL;
    netman_ring_init(&ring, NULL, 0, NETMAN_SNIFFER_RECORD_HEAD, true);
}

bool netman_sniffer_is_active(void) {
    return active;
}

void netman_core_sniffer_rx(uint8_t channel, int8_t rssi, const uint8_t *frame, size_t len) {
    netman_hal_lock();
    if (!active) {
        netman_hal_unlock();
        return;
    }
    if (!netman_frame_accepts(&filter, frame, len)) {
        stats.filtered++;
        netman_hal_unlock();
        return;
    }
    size_t kept = len < snaplen ? len : snaplen;
    uint8_t *rec = netman_ring_put(&ring, kept);
    if (rec == NULL) {
        stats.dropped++;                    // full: the newest frame is lost
        netman_hal_unlock();
        return;
    }
    netman_sniffer_meta_t meta = {
        .length = (uint16_t)len, .channel = channel, .rssi = rssi, .time_ms = mp_hal_ticks_ms(),
    };
    memcpy(rec + 2, &meta, sizeof(meta));
    memcpy(rec + NETMAN_SNIFFER_RECORD_HEAD, frame, kept);
    stats.received++;
    netman_burst_t *burst = MP_STATE_VM(netman_sniffer_burst);
    bool notify = netman_burst_arm_locked(burst);
    netman_hal_unlock();
    if (notify) {
        netman_burst_schedule(burst);
    }
}

size_t netman_sniffer_take(netman_sniffer_meta_t *meta, uint8_t *data, size_t max) {
    netman_hal_lock();
    size_t kept = 0;
    const uint8_t *rec = netman_ring_peek(&ring, &kept);
    if (rec != NULL) {
        memcpy(meta, rec + 2, sizeof(*meta));
        kept = kept < max ? kept : max;
        memcpy(data, rec + NETMAN_SNIFFER_RECORD_HEAD, kept);
        netman_ring_pop(&ring);
    }
    netman_hal_unlock();
    return rec != NULL ? kept : 0;
}

bool netman_sniffer_any(void) {
    netman_hal_lock();
    bool any = netman_ring_any(&ring);
    netman_hal_unlock();
    return any;
}

void netman_sniffer_get_stats(netman_sniffer_stats_t *out) {
    netman_hal_lock();
    *out = stats;
    netman_hal_unlock();
}

void netman_sniffer_forget_vm(void) {
    MP_STATE_VM(netman_sniffer_burst) = NULL;
}

void netman_sniffer_set_irq(mp_obj_t handler, mp_obj_t arg) {
    netman_burst_set((netman_burst_t **)&MP_STATE_VM(netman_sniffer_burst), handler, arg);
}
