/*
 * The event queue: a fixed ring of events copied in from driver context and
 * taken out on the MicroPython thread. Callers hold the HAL lock. Its
 * storage comes from the GC heap while the network is open (the driver posts
 * nothing before netman_hal_open() or after netman_hal_close()).
 */
#include "py/runtime.h"

#include "netman_core.h"

MP_REGISTER_ROOT_POINTER(void *netman_queue);

#define QUEUE() ((netman_event_t *)MP_STATE_VM(netman_queue))

static uint8_t queue_head;
static uint8_t queue_count;
static bool drain_pending;

void netman_queue_open(void) {
    netman_event_t *storage = m_new(netman_event_t, NETMAN_QUEUE_LEN);
    netman_hal_lock();
    MP_STATE_VM(netman_queue) = storage;
    netman_queue_reset_locked();
    netman_hal_unlock();
}

void netman_queue_close(void) {
    netman_hal_lock();
    netman_event_t *storage = QUEUE();
    MP_STATE_VM(netman_queue) = NULL;
    netman_queue_reset_locked();
    netman_hal_unlock();
    m_del(netman_event_t, storage, NETMAN_QUEUE_LEN);
}

bool netman_queue_push_locked(const netman_event_t *event) {
    netman_event_t *queue = QUEUE();
    if (queue == NULL) {
        return false; // the network is closed: nobody would take it
    }
    netman_counters.events++;
    if (queue_count == NETMAN_QUEUE_LEN) {
        netman_counters.queue_overflows++;
    } else {
        queue[(queue_head + queue_count) % NETMAN_QUEUE_LEN] = *event;
        queue_count++;
    }
    if (drain_pending) {
        return false;
    }
    drain_pending = true;
    return true;
}

bool netman_queue_pop_locked(netman_event_t *event) {
    if (queue_count == 0) {
        drain_pending = false;
        return false;
    }
    *event = QUEUE()[queue_head];
    queue_head = (queue_head + 1) % NETMAN_QUEUE_LEN;
    queue_count--;
    return true;
}

void netman_queue_drain_refused_locked(void) {
    netman_counters.sched_retries++;
    drain_pending = false;
}

void netman_queue_reset_locked(void) {
    queue_head = 0;
    queue_count = 0;
    drain_pending = false;
}
