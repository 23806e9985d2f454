/*
 * The rp2 HAL's frame: bringing the CYW43439 up and down, the port lock, the
 * one-shot timer and the watch. The watch turns the driver's state (join
 * state, link, leases, scan progress) and the chip's events (rp2_events.c)
 * into netman events every RP2_WATCH_MS. A soft timer paces it, but it runs
 * in a PendSV slot of its own (boards/RPI_PICO*_W/mpconfigboard.h): the soft
 * timer handler walks its heap of timers (shared/runtime/softtimer.c,
 * soft_timer_handler), and the watch's ioctls process the chip's frames —
 * a link coming up there re-inserts lwIP's poll timer (ports/rp2/
 * mpnetworkport.c) into that heap mid-walk. PendSV runs the slots in order
 * (ports/rp2/pendsv.c, PendSV_Handler), so ours runs right after.
 */
#include <stdio.h>
#include <string.h>

#include "py/mphal.h"
#include "py/runtime.h"
#include "shared/runtime/interrupt_char.h"
#include "shared/runtime/softtimer.h"
#include "extmod/modnetwork.h"
#include "lib/cyw43-driver/src/cyw43.h"
#include "lib/cyw43-driver/src/cyw43_country.h"
#include "pendsv.h"
#include "pico/platform.h"
#include "lwip/netif.h"

#include "rp2_port.h"

#ifndef NETMAN_RP2_PENDSV_SLOT
#error "netman on rp2 needs its PendSV slot: build one of netman's boards (boards/RPI_PICO_W, boards/RPI_PICO2_W)"
#endif

// Why the last request failed: always one of our own constant texts.
static const char *last_error = "";
static bool radio_open;
static soft_timer_entry_t watch_timer;
// The one-shot timer is a deadline the watch checks; its resolution is the
// watch period.
static bool timer_armed;
static uint32_t timer_deadline_ms;

netman_err_t rp2_fail(netman_err_t err, const char *text) {
    last_error = text;
    return err;
}

const char *netman_hal_last_error(void) {
    return last_error;
}

bool rp2_in_driver_context(void) {
    return __get_current_exception() != 0;
}

uint32_t rp2_ip_from_lwip(const ip4_addr_t *addr) {
    return lwip_ntohl(ip4_addr_get_u32(addr));
}

void rp2_ip_to_lwip(uint32_t address, ip4_addr_t *addr) {
    ip4_addr_set_u32(addr, lwip_htonl(address));
}

uint8_t rp2_channel(int itf) {
    // WLC_GET_CHANNEL answers a channel_info_t; its first word is the channel in use.
    uint8_t buf[12] = {0};
    if (cyw43_ioctl(&cyw43_state, CYW43_IOCTL_GET_CHANNEL, sizeof(buf), buf, itf) != 0) {
        return 0;
    }
    return buf[0];
}

// A firmware variable is "<name>\0" followed by its value (little endian).
static size_t iovar(uint8_t buf[24], const char *name, uint32_t value) {
    size_t len = strlen(name) + 1;
    memcpy(buf, name, len);
    for (int i = 0; i < 4; i++) {
        buf[len + i] = (uint8_t)(value >> (8 * i));
    }
    return len + 4;
}

bool rp2_set_iovar_u32(const char *name, uint32_t value, int itf) {
    uint8_t buf[24];
    return cyw43_ioctl(&cyw43_state, CYW43_IOCTL_SET_VAR, iovar(buf, name, value), buf, itf) == 0;
}

bool rp2_get_iovar_u32(const char *name, int itf, uint32_t *value) {
    uint8_t buf[24];
    if (cyw43_ioctl(&cyw43_state, CYW43_IOCTL_GET_VAR, iovar(buf, name, 0), buf, itf) != 0) {
        return false;
    }
    *value = buf[0] | buf[1] << 8 | buf[2] << 16 | (uint32_t)buf[3] << 24;
    return true;
}

// PendSV. The driver makes each netif it brings up lwIP's default
// (cyw43_lwip.c, cyw43_cb_tcpip_init): our AP, coming up after the station,
// would take off-subnet traffic away from the station's gateway.
void rp2_route_watch(void) {
    int itf = rp2_default_route(rp2_sta_has_address(), rp2_ap_is_up()) == RP2_ROUTE_STA ? CYW43_ITF_STA : CYW43_ITF_AP;
    struct netif *want = &cyw43_state.netif[itf];
    if (netif_default != want) {
        netif_set_default(want);
    }
}

void netman_hal_lock(void) {
    pendsv_suspend();
}

void netman_hal_unlock(void) {
    pendsv_resume();
}

// PendSV, in netman's slot.
static void watch(void) {
    if (!radio_open) {
        return;
    }
    uint32_t now_ms = mp_hal_ticks_ms();
    rp2_events_t seen = rp2_events_take();
    if (timer_armed && (int32_t)(now_ms - timer_deadline_ms) >= 0) {
        timer_armed = false;
        netman_event_t tick = { .kind = NETMAN_EV_TIMER };
        netman_core_post(&tick);
    }
    rp2_sta_watch(now_ms, &seen);
    rp2_ap_watch(now_ms, seen.bits);
    rp2_scan_watch(seen.bits);
    rp2_sntp_watch(now_ms);
    rp2_route_watch();
}

// PendSV, inside the soft timer handler: only hand over to our slot.
static void watch_due(soft_timer_entry_t *entry) {
    (void)entry;
    pendsv_schedule_dispatch(PENDSV_DISPATCH_NETMAN, watch);
}

// The driver's waits run MicroPython's event hook (cyw43_delay_ms calls
// mp_event_handle_nowait(): extmod/cyw43_config_common.h), and that raises a
// pending exception (py/scheduler.c, mp_handle_pending) from inside the
// driver: with CYW43_THREAD_ENTER held (PendSV would stay suspended), in a
// bring-up half done, or out of a scheduled callback (the scheduler would
// stay locked). So no exception may be pending there: one that is waits
// until the driver call is done, and Ctrl-C is off meanwhile (the USB and
// UART receive code only raises it while mp_interrupt_char is set:
// shared/tinyusb/mp_usbd_cdc.c; a 0x03 typed then reaches stdin instead).
rp2_held_interrupt_t rp2_hold_interrupt(void) {
    rp2_held_interrupt_t held = { MP_STATE_MAIN_THREAD(mp_pending_exception), mp_interrupt_char };
    mp_hal_set_interrupt_char(-1);
    MP_STATE_MAIN_THREAD(mp_pending_exception) = MP_OBJ_NULL;
    return held;
}

void rp2_release_interrupt(rp2_held_interrupt_t held) {
    mp_hal_set_interrupt_char(held.interrupt_char);
    if (held.pending != MP_OBJ_NULL) {
        MP_STATE_MAIN_THREAD(mp_pending_exception) = held.pending;
    }
}

static uint32_t country_code(void) {
    return CYW43_COUNTRY(mod_network_country_code[0], mod_network_country_code[1], 0);
}

netman_err_t netman_hal_open(uint8_t mac[NETMAN_MAC_LEN]) {
    // The first bring-up loads the chip's firmware (about a second).
    // cyw43_wifi_set_up() gives no result: when the chip does not answer
    // (cyw43_ensure_up fails in cyw43_ll_bus_init) it returns without setting
    // the interface's bit in itf_state (cyw43_ctrl.c, cyw43_wifi_set_up), and the MAC it would
    // report is whatever the driver holds (cyw43_wifi_get_mac always says 0).
    rp2_held_interrupt_t held = rp2_hold_interrupt();
    cyw43_wifi_set_up(&cyw43_state, CYW43_ITF_STA, true, country_code());
    rp2_release_interrupt(held);
    if (!(cyw43_state.itf_state & (1u << CYW43_ITF_STA))) {
        // A failed cyw43_ll_bus_init keeps the PIO state machine, program and
        // two DMA channels cyw43_spi_init claimed (cyw43_ll.c: "Failed to
        // start CYW43" returns without cyw43_spi_deinit): six failed starts
        // would use up the DMA channels, and no later start could reach the
        // chip. cyw43_ll_deinit gives them back (cyw43_bus_pio_spi.c,
        // cyw43_spi_deinit: a no-op when nothing is claimed).
        cyw43_ll_deinit(&cyw43_state.cyw43_ll);
        return rp2_fail(NETMAN_ERR_NO_RADIO, "no radio: the CYW43439 WiFi chip did not answer (is this a Pico W?)");
    }
    cyw43_wifi_get_mac(&cyw43_state, CYW43_ITF_STA, mac);
    last_error = "";
    rp2_events_reset();
    rp2_mdns_open();
    timer_armed = false;
    radio_open = true;
    soft_timer_static_init(&watch_timer, SOFT_TIMER_MODE_PERIODIC, RP2_WATCH_MS, watch_due);
    soft_timer_insert(&watch_timer, RP2_WATCH_MS);
    return NETMAN_OK;
}

void netman_hal_close(void) {
    if (!radio_open) {
        return;
    }
    rp2_held_interrupt_t held = rp2_hold_interrupt();
    // Without the watch nothing runs at PendSV on our behalf: no more events.
    pendsv_suspend();
    radio_open = false;
    pendsv_resume();
    soft_timer_remove(&watch_timer);
    timer_armed = false;
    netman_hal_mdns_stop();
    netman_hal_sntp_stop();
    rp2_scan_reset();
    rp2_ap_reset();
    rp2_sta_reset();
    cyw43_wifi_set_up(&cyw43_state, CYW43_ITF_STA, false, country_code());
    rp2_release_interrupt(held);
}

void netman_hal_timer_arm(uint32_t ms) {
    pendsv_suspend();
    timer_deadline_ms = mp_hal_ticks_ms() + ms;
    timer_armed = true;
    pendsv_resume();
}

void netman_hal_timer_cancel(void) {
    pendsv_suspend();
    timer_armed = false;
    pendsv_resume();
}

// The CYW43439 takes a channel only for its AP (ap_channel); the station
// follows the AP it joins and nothing else uses an idle channel (no ESP-NOW).
netman_err_t netman_hal_set_channel(uint8_t channel) {
    (void)channel;
    return rp2_fail(NETMAN_ERR_IO, "the CYW43439 has no channel of its own for the station; set the AP's ap_channel");
}
