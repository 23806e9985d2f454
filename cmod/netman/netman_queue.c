/*
 * The event queue: a fixed ring of events copied in from driver context and
 * taken out on the MicroPython thread. Callers hold the HAL lock.
 */
#include "netman_core.h"

static netman_event_t queue[NETMAN_QUEUE_LEN];
static uint8_t queue_head;
static uint8_t queue_count;
static bool drain_pending;

bool netman_queue_push_locked(const netman_event_t *event) {
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
    *event = queue[queue_head];
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
