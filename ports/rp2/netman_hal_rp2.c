/*
 * The rp2 HAL's frame: bringing the CYW43439 up and down, the port lock, the
 * one-shot timer and the watch — a soft timer at PendSV level that turns the
 * driver's state (join state, link, leases, scan progress) into events. The
 * cyw43 driver has no hook for its asynchronous events, so the watch reads
 * the state those events leave behind.
 */
#include <stdio.h>
#include <string.h>

#include "py/mphal.h"
#include "py/runtime.h"
#include "shared/runtime/softtimer.h"
#include "extmod/modnetwork.h"
#include "lib/cyw43-driver/src/cyw43.h"
#include "lib/cyw43-driver/src/cyw43_country.h"
#include "pendsv.h"
#include "pico/platform.h"

#include "rp2_port.h"

static char last_error[96];
static bool radio_open;
static soft_timer_entry_t watch_timer;
// The one-shot timer is a deadline the watch checks: a soft timer callback
// must not insert soft timers, and the core arms this timer from events the
// watch posts. Its resolution is the watch period.
static bool timer_armed;
static uint32_t timer_deadline_ms;

netman_err_t rp2_fail(netman_err_t err, const char *text) {
    snprintf(last_error, sizeof(last_error), "%s", text);
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

bool rp2_set_iovar_u32(const char *name, uint32_t value, int itf) {
    // A firmware variable is set as "<name>\0" followed by its value (little endian).
    uint8_t buf[24];
    size_t len = strlen(name) + 1;
    if (len + 4 > sizeof(buf)) {
        return false;
    }
    memcpy(buf, name, len);
    for (int i = 0; i < 4; i++) {
        buf[len + i] = (uint8_t)(value >> (8 * i));
    }
    return cyw43_ioctl(&cyw43_state, CYW43_IOCTL_SET_VAR, len + 4, buf, itf) == 0;
}

void netman_hal_lock(void) {
    pendsv_suspend();
}

void netman_hal_unlock(void) {
    pendsv_resume();
}

static void watch_tick(soft_timer_entry_t *entry) {
    (void)entry;
    uint32_t now_ms = mp_hal_ticks_ms();
    if (timer_armed && (int32_t)(now_ms - timer_deadline_ms) >= 0) {
        timer_armed = false;
        netman_event_t tick = { .kind = NETMAN_EV_TIMER };
        netman_core_post(&tick);
    }
    rp2_sta_watch(now_ms);
    rp2_ap_watch(now_ms);
    rp2_scan_watch();
    rp2_sntp_watch(now_ms);
}

static uint32_t country_code(void) {
    return CYW43_COUNTRY(mod_network_country_code[0], mod_network_country_code[1], 0);
}

netman_err_t netman_hal_open(uint8_t mac[NETMAN_MAC_LEN]) {
    // The first bring-up loads the chip's firmware (about a second).
    cyw43_wifi_set_up(&cyw43_state, CYW43_ITF_STA, true, country_code());
    if (cyw43_wifi_get_mac(&cyw43_state, CYW43_ITF_STA, mac) != 0) {
        cyw43_wifi_set_up(&cyw43_state, CYW43_ITF_STA, false, country_code());
        return rp2_fail(NETMAN_ERR_NO_RADIO, "no radio: the CYW43 WiFi chip did not come up");
    }
    last_error[0] = '\0';
    rp2_mdns_open();
    timer_armed = false;
    soft_timer_static_init(&watch_timer, SOFT_TIMER_MODE_PERIODIC, RP2_WATCH_MS, watch_tick);
    soft_timer_insert(&watch_timer, RP2_WATCH_MS);
    radio_open = true;
    return NETMAN_OK;
}

void netman_hal_close(void) {
    if (!radio_open) {
        return;
    }
    radio_open = false;
    // Without the watch nothing runs at PendSV on our behalf: no more events.
    soft_timer_remove(&watch_timer);
    timer_armed = false;
    netman_hal_mdns_stop();
    netman_hal_sntp_stop();
    rp2_scan_reset();
    rp2_ap_reset();
    rp2_sta_reset();
    cyw43_wifi_set_up(&cyw43_state, CYW43_ITF_STA, false, country_code());
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

netman_err_t netman_hal_espnow_active(bool active) {
    (void)active;
    return rp2_fail(NETMAN_ERR_NO_RADIO, "ESP-NOW needs an Espressif radio; the CYW43439 has none");
}

netman_err_t netman_hal_espnow_send(const uint8_t mac[NETMAN_MAC_LEN], const uint8_t *data, size_t len,
    const uint8_t *key_id) {
    (void)mac;
    (void)data;
    (void)len;
    (void)key_id;
    return netman_hal_espnow_active(true);
}

netman_err_t netman_hal_espnow_set_pmk(const uint8_t pmk[NETMAN_ESPNOW_KEY_LEN]) {
    (void)pmk;
    return netman_hal_espnow_active(true);
}

netman_err_t netman_hal_espnow_peer_set(const netman_espnow_peer_t *peer, bool add) {
    (void)peer;
    (void)add;
    return netman_hal_espnow_active(true);
}

netman_err_t netman_hal_espnow_peer_del(const uint8_t mac[NETMAN_MAC_LEN]) {
    (void)mac;
    return netman_hal_espnow_active(true);
}

netman_err_t netman_hal_espnow_rate(uint8_t rate) {
    (void)rate;
    return netman_hal_espnow_active(true);
}

// Only ESP-NOW asks, and the CYW43439 has none.
bool netman_hal_radio_started(void) {
    return false;
}

// The CYW43439 takes a channel only for its AP (ap_channel); the station
// follows the AP it joins and nothing else uses an idle channel (no ESP-NOW).
netman_err_t netman_hal_set_channel(uint8_t channel) {
    (void)channel;
    return rp2_fail(NETMAN_ERR_IO, "the CYW43439 has no channel of its own for the station; set the AP's ap_channel");
}
