/*
 * The port has one one-shot timer (netman_hal_timer_arm). The core shares it
 * between the station's reconnect backoff and the facade's tick: each keeps a
 * deadline here and the port's timer is armed for the nearest one.
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

// Arm the port's timer for the nearest deadline (or cancel it). Called
// without the lock: the HAL timer calls take the port's own. Deadlines change
// from driver context and the MicroPython thread: whoever finds that another
// computed after it arms again, so the last arming follows the latest state.
static uint32_t arm_generation;

static void arm_port(void) {
    for (;;) {
        bool any = false;
        uint32_t wait_ms = 0;
        netman_hal_lock();
        uint32_t generation = ++arm_generation;
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
        if (any) {
            netman_hal_timer_arm(wait_ms);
        } else {
            netman_hal_timer_cancel();
        }
        netman_hal_lock();
        bool latest = generation == arm_generation;
        netman_hal_unlock();
        if (latest) {
            return;
        }
    }
}

void netman_timer_arm(netman_timer_id_t id, uint32_t ms) {
    netman_hal_lock();
    armed[id] = true;
    due_ms[id] = mp_hal_ticks_ms() + ms;
    netman_hal_unlock();
    arm_port();
}

void netman_timer_cancel(netman_timer_id_t id) {
    netman_hal_lock();
    armed[id] = false;
    netman_hal_unlock();
    arm_port();
}

unsigned int netman_timer_fired(void) {
    unsigned int due = 0;
    netman_hal_lock();
    uint32_t now = mp_hal_ticks_ms();
    for (int i = 0; i < NETMAN_TIMER_COUNT; i++) {
        if (armed[i] && (int32_t)(now - due_ms[i]) >= 0) {
            armed[i] = false;
            due |= 1u << i;
        }
    }
    netman_hal_unlock();
    arm_port();
    return due;
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

void netman_timer_reset(void) {
    netman_hal_lock();
    for (int i = 0; i < NETMAN_TIMER_COUNT; i++) {
        armed[i] = false;
    }
    tick_period_ms = 0;
    netman_hal_unlock();
}
