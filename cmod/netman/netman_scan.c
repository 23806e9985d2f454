/*
 * The scan buffer: a bounded array filled from driver context without
 * allocating. Entries are deduplicated by BSSID (the strongest reading wins)
 * and kept sorted strongest first; when the array is full a weaker AP is
 * counted but not kept. Python objects are made only when results are taken.
 */
#include <string.h>

#include "py/mphal.h"

#include "netman_core.h"

static netman_scan_result_t scan_buf[NETMAN_MAX_SCAN_RESULTS];
static size_t scan_count;
static uint32_t scan_found;
static netman_scan_params_t scan_filter;
static netman_scan_state_t scan_state;
static netman_scan_status_t scan_status;
static mp_uint_t scan_done_us;

static bool wanted(const netman_scan_result_t *r) {
    const netman_scan_params_t *f = &scan_filter;
    // What a driver hears beyond the country's channels is not for us.
    if (r->channel > netman_radio_channels_locked()) {
        return false;
    }
    if (f->channel != 0 && r->channel != f->channel) {
        return false;
    }
    if (f->ssid_len != 0 && (r->ssid_len != f->ssid_len || memcmp(r->ssid, f->ssid, f->ssid_len) != 0)) {
        return false;
    }
    if (f->match_bssid && memcmp(r->bssid, f->bssid, NETMAN_MAC_LEN) != 0) {
        return false;
    }
    // A hidden network shows up with show_hidden, or when probed by its name.
    return !(r->hidden && r->ssid_len == 0 && !f->show_hidden);
}

// Move entry i towards the front while it is stronger than its neighbour.
static void bubble_up(size_t i) {
    while (i > 0 && scan_buf[i].rssi > scan_buf[i - 1].rssi) {
        netman_scan_result_t tmp = scan_buf[i - 1];
        scan_buf[i - 1] = scan_buf[i];
        scan_buf[i] = tmp;
        i--;
    }
}

void netman_core_scan_result(const netman_scan_result_t *result) {
    netman_hal_lock();
    if (scan_state == NETMAN_SCAN_STATE_RUNNING && wanted(result)) {
        size_t i;
        for (i = 0; i < scan_count; i++) {
            if (memcmp(scan_buf[i].bssid, result->bssid, NETMAN_MAC_LEN) == 0) {
                break;
            }
        }
        if (i < scan_count) {
            // Seen again (another channel visit): keep the stronger reading.
            if (result->rssi > scan_buf[i].rssi) {
                scan_buf[i] = *result;
                bubble_up(i);
            }
        } else {
            scan_found++;
            if (scan_count < NETMAN_MAX_SCAN_RESULTS) {
                scan_buf[scan_count] = *result;
                bubble_up(scan_count++);
            } else if (result->rssi > scan_buf[scan_count - 1].rssi) {
                scan_buf[scan_count - 1] = *result;
                bubble_up(scan_count - 1);
            }
        }
    }
    netman_hal_unlock();
}

netman_err_t netman_scan_start(const netman_scan_params_t *params) {
    netman_hal_lock();
    if (scan_state == NETMAN_SCAN_STATE_RUNNING) {
        netman_hal_unlock();
        return NETMAN_ERR_BUSY;
    }
    scan_filter = *params;
    scan_count = 0;
    scan_found = 0;
    scan_state = NETMAN_SCAN_STATE_RUNNING;
    netman_hal_unlock();
    netman_err_t err = netman_hal_scan_start(params);
    if (err != NETMAN_OK) {
        netman_hal_lock();
        scan_state = NETMAN_SCAN_STATE_IDLE;
        netman_hal_unlock();
    }
    return err;
}

void netman_scan_apply_locked(const netman_event_t *event) {
    if (event->kind == NETMAN_EV_SCAN_DONE && scan_state == NETMAN_SCAN_STATE_RUNNING) {
        scan_state = NETMAN_SCAN_STATE_DONE;
        scan_status = event->u.scan_status;
        scan_done_us = mp_hal_ticks_us();
    } else if (event->kind == NETMAN_EV_RADIO_LOST && scan_state == NETMAN_SCAN_STATE_RUNNING) {
        scan_state = NETMAN_SCAN_STATE_DONE;
        scan_status = NETMAN_SCAN_FAILED;
        scan_done_us = mp_hal_ticks_us();
    }
}

void netman_scan_cancel(void) {
    netman_hal_lock();
    if (scan_state == NETMAN_SCAN_STATE_RUNNING) {
        scan_state = NETMAN_SCAN_STATE_DONE;
        scan_status = NETMAN_SCAN_CANCELED;
        scan_done_us = mp_hal_ticks_us();
    }
    netman_hal_unlock();
}

netman_scan_state_t netman_scan_state(netman_scan_status_t *status, mp_uint_t *done_us) {
    netman_hal_lock();
    netman_scan_state_t state = scan_state;
    *status = scan_status;
    *done_us = scan_done_us;
    netman_hal_unlock();
    return state;
}

const netman_scan_result_t *netman_scan_view(size_t *count, uint32_t *found) {
    // Once the scan is done the driver no longer writes here, and only the
    // MicroPython thread starts the next one: no copy is needed.
    *count = scan_count;
    *found = scan_found;
    return scan_buf;
}

void netman_scan_release(void) {
    netman_hal_lock();
    if (scan_state == NETMAN_SCAN_STATE_DONE) {
        scan_state = NETMAN_SCAN_STATE_IDLE;
    }
    netman_hal_unlock();
}
