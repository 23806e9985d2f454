/*
 * The chip's asynchronous events, seen on their way to the driver. The cyw43
 * driver keeps only what it needs of them (a join state, the netif link, its
 * scan state: cyw43_ctrl.c, cyw43_cb_process_async_event) and has no hook of
 * its own, so the port is linked with -Wl,--wrap=cyw43_cb_process_async_event
 * (netman_port.cmake): the driver's calls from cyw43_ll.c come here first,
 * then go on to it unchanged. What the events mean is rp2_link_rules.c's.
 *
 * Runs wherever the driver processes the chip's frames: its poll at PendSV,
 * or an ioctl's wait in the MicroPython thread (with PendSV suspended,
 * CYW43_THREAD_ENTER). Nothing here allocates or blocks.
 */
#include "lib/cyw43-driver/src/cyw43.h"
#include "lib/cyw43-driver/src/cyw43_ll.h"

#include "rp2_port.h"

static rp2_events_t seen;

void __real_cyw43_cb_process_async_event(void *cb_data, const cyw43_async_event_t *ev);

void __wrap_cyw43_cb_process_async_event(void *cb_data, const cyw43_async_event_t *ev) {
    rp2_chip_event_t event = {
        .type = ev->event_type, .status = ev->status, .reason = ev->reason, .flags = ev->flags, .itf = ev->interface,
    };
    netman_hal_lock();
    rp2_events_add(&seen, &event);
    netman_hal_unlock();
    __real_cyw43_cb_process_async_event(cb_data, ev);
}

rp2_events_t rp2_events_take(void) {
    netman_hal_lock();
    rp2_events_t taken = seen;
    seen = (rp2_events_t) {0};
    netman_hal_unlock();
    return taken;
}

void rp2_events_forget_station(void) {
    netman_hal_lock();
    seen.bits &= ~RP2_EV_STATION_MASK;
    seen.key_timeouts = 0;
    netman_hal_unlock();
}

void rp2_events_forget_scan(void) {
    netman_hal_lock();
    seen.bits &= ~RP2_EV_SCAN_FAILED;
    netman_hal_unlock();
}

void rp2_events_reset(void) {
    rp2_events_take();
}
