/*
 * The port has one one-shot timer (netman_hal_timer_arm). The core shares it
 * between its deadlines — the station's reconnect backoff, the bound of a
 * running scan, an SNTP start to try again — and the facade's tick: each
 * keeps a deadline here, the port's timer is armed for the nearest one, and
 * each timer tick hands back the ones that passed.
 *
 * The tick (NETMAN_EV_TICK, for work the facade does in the background, such
 * as the provisioning portal) is armed again only when the dispatcher takes
 * it off the queue, so at most one tick waits there and ticks never crowd out
 * real events.
 */
#include "py/mphal.h"

#include "netman_core.h"

static bool armed[NETMAN_TIMER_COUNT];
static uint32_t due_ms[NETMAN_TIMER_COUNT];
static uint32_t tick_period_ms;
// Bumped on every change: a commit that raced another one arms again.
static uint32_t changes;

void netman_timer_set_locked(netman_timer_id_t id, uint32_t ms) {
    armed[id] = true;
    due_ms[id] = mp_hal_ticks_ms() + ms;
    changes++;
}

void netman_timer_clear_locked(netman_timer_id_t id) {
    if (armed[id]) {
        armed[id] = false;
        changes++;
    }
}

bool netman_timer_passed_locked(netman_timer_id_t id) {
    return armed[id] && (int32_t)(mp_hal_ticks_ms() - due_ms[id]) >= 0;
}

unsigned int netman_timer_take_passed_locked(void) {
    unsigned int passed = 0;
    for (int i = 0; i < NETMAN_TIMER_COUNT; i++) {
        if (netman_timer_passed_locked(i)) {
            netman_timer_clear_locked(i);
            passed |= 1u << i;
        }
    }
    return passed;
}

void netman_timer_commit(void) {
    for (;;) {
        bool any = false;
        uint32_t wait_ms = 0;
        netman_hal_lock();
        uint32_t seen = changes;
        uint32_t now = mp_hal_ticks_ms();
        for (int i = 0; i < NETMAN_TIMER_COUNT; i++) {
            if (armed[i]) {
                int32_t left = (int32_t)(due_ms[i] - now);
                uint32_t ms = left > 0 ? (uint32_t)left : 0;
                if (!any || ms < wait_ms) {
                    wait_ms = ms;
                }
                any = true;
            }
        }
        netman_hal_unlock();
        // The HAL timer is armed outside the lock (netman_hal.h). Deadlines
        // change from driver context and the MicroPython thread: if another
        // change came meanwhile its arming may have been replaced by ours,
        // so look again until the last arming follows the latest state.
        if (any) {
            netman_hal_timer_arm(wait_ms);
        } else {
            netman_hal_timer_cancel();
        }
        netman_hal_lock();
        bool latest = seen == changes;
        netman_hal_unlock();
        if (latest) {
            return;
        }
    }
}

void netman_timer_arm(netman_timer_id_t id, uint32_t ms) {
    netman_hal_lock();
    netman_timer_set_locked(id, ms);
    netman_hal_unlock();
    netman_timer_commit();
}

void netman_timer_cancel(netman_timer_id_t id) {
    netman_hal_lock();
    netman_timer_clear_locked(id);
    netman_hal_unlock();
    netman_timer_commit();
}

void netman_timer_set_tick(uint32_t period_ms) {
    netman_hal_lock();
    tick_period_ms = period_ms;
    netman_hal_unlock();
    if (period_ms == 0) {
        netman_timer_cancel(NETMAN_TIMER_TICK);
    } else {
        netman_timer_arm(NETMAN_TIMER_TICK, period_ms);
    }
}

void netman_timer_tick_taken(void) {
    netman_hal_lock();
    uint32_t period_ms = tick_period_ms;
    netman_hal_unlock();
    if (period_ms != 0) {
        netman_timer_arm(NETMAN_TIMER_TICK, period_ms);
    }
}

void netman_timer_reset_locked(void) {
    for (int i = 0; i < NETMAN_TIMER_COUNT; i++) {
        armed[i] = false;
    }
    tick_period_ms = 0;
    changes++;
}
