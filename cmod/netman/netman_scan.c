/*
 * The scan buffer: a bounded array filled from driver context without
 * allocating. Entries are deduplicated by BSSID (the strongest reading wins)
 * and kept sorted strongest first; when the array is full a weaker AP is
 * counted but not kept. Python objects are made only when results are taken.
 *
 * The array comes from the GC heap when a scan starts and is freed once its
 * results are taken, or when the network stops (unless results of a
 * completed scan wait: the facade may still take them). It exists whenever
 * a scan runs, so driver context (which writes only then, under the lock)
 * always has it.
 */
#include <string.h>

#include "py/mphal.h"
#include "py/runtime.h"

#include "netman_core.h"
#include "netman_event_check.h"

MP_REGISTER_ROOT_POINTER(void *netman_scan_results);

#define scan_buf ((netman_scan_result_t *)MP_STATE_VM(netman_scan_results))

static size_t scan_count;
static uint32_t scan_found;
static netman_scan_params_t scan_filter;
static netman_scan_state_t scan_state;
static netman_scan_status_t scan_status;
static mp_uint_t scan_done_us;
// The scan ran into its bound (netman_scan_bound_ms) rather than ending.
static bool scan_timed_out;

uint32_t netman_scan_bound_ms(const netman_scan_params_t *params) {
    uint32_t channels = params->channel != 0 ? 1 : NETMAN_SCAN_CHANNELS;
    return channels * (params->dwell_ms + NETMAN_SCAN_CHANNEL_COST_MS) * 2 + NETMAN_SCAN_MARGIN_MS;
}

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
    if (!netman_scan_result_valid(result)) {
        netman_hal_lock();
        netman_counters.events_rejected++;
        netman_hal_unlock();
        return;
    }
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

// The MicroPython thread, no scan running.
static void free_results(void) {
    netman_hal_lock();
    netman_scan_result_t *results = scan_buf;
    MP_STATE_VM(netman_scan_results) = NULL;
    scan_count = 0;
    netman_hal_unlock();
    m_del(netman_scan_result_t, results, NETMAN_MAX_SCAN_RESULTS);
}

netman_err_t netman_scan_start(const netman_scan_params_t *params) {
    // Only this thread starts scans and frees the array: it stays ours.
    if (scan_buf == NULL) {
        netman_scan_result_t *results = m_new(netman_scan_result_t, NETMAN_MAX_SCAN_RESULTS);
        netman_hal_lock();
        MP_STATE_VM(netman_scan_results) = results;
        netman_hal_unlock();
    }
    netman_hal_lock();
    if (scan_state == NETMAN_SCAN_STATE_RUNNING) {
        netman_hal_unlock();
        return NETMAN_ERR_BUSY;
    }
    scan_filter = *params;
    scan_count = 0;
    scan_found = 0;
    scan_timed_out = false;
    scan_state = NETMAN_SCAN_STATE_RUNNING;
    // Every scan ends: a driver that never reports the end (netman_hal.h)
    // is given up on after its bound.
    netman_timer_set_locked(NETMAN_TIMER_SCAN, netman_scan_bound_ms(params));
    netman_hal_unlock();
    netman_err_t err = netman_hal_scan_start(params);
    if (err != NETMAN_OK) {
        netman_hal_lock();
        scan_state = NETMAN_SCAN_STATE_IDLE;
        netman_timer_clear_locked(NETMAN_TIMER_SCAN);
        netman_hal_unlock();
        free_results();
    }
    netman_timer_commit();
    return err;
}

static void end_locked(netman_scan_status_t status) {
    scan_state = NETMAN_SCAN_STATE_DONE;
    scan_status = status;
    scan_done_us = mp_hal_ticks_us();
    netman_timer_clear_locked(NETMAN_TIMER_SCAN);
}

bool netman_scan_give_up_locked(void) {
    if (scan_state != NETMAN_SCAN_STATE_RUNNING) {
        return false;
    }
    end_locked(NETMAN_SCAN_FAILED);
    scan_timed_out = true;
    return true;
}

bool netman_scan_apply_locked(const netman_event_t *event) {
    if (scan_state != NETMAN_SCAN_STATE_RUNNING) {
        // A late end of a scan given up on, or of none: not ours to report.
        return event->kind != NETMAN_EV_SCAN_DONE;
    }
    if (event->kind == NETMAN_EV_SCAN_DONE) {
        end_locked(event->u.scan_status);
    } else if (event->kind == NETMAN_EV_RADIO_LOST) {
        end_locked(NETMAN_SCAN_FAILED);
    }
    return true;
}

void netman_scan_cancel(void) {
    netman_hal_lock();
    if (scan_state == NETMAN_SCAN_STATE_RUNNING) {
        end_locked(NETMAN_SCAN_CANCELED);
    }
    bool waiting = scan_state == NETMAN_SCAN_STATE_DONE && scan_status == NETMAN_SCAN_OK;
    netman_hal_unlock();
    if (!waiting) {
        free_results();
    }
}

void netman_scan_forget(void) {
    MP_STATE_VM(netman_scan_results) = NULL;
    scan_count = 0;
    scan_state = NETMAN_SCAN_STATE_IDLE;
}

netman_scan_state_t netman_scan_state(netman_scan_status_t *status, mp_uint_t *done_us, bool *timed_out) {
    netman_hal_lock();
    netman_scan_state_t state = scan_state;
    *status = scan_status;
    *done_us = scan_done_us;
    *timed_out = scan_timed_out;
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
    bool done = scan_state == NETMAN_SCAN_STATE_DONE;
    if (done) {
        scan_state = NETMAN_SCAN_STATE_IDLE;
    }
    netman_hal_unlock();
    if (done) {
        free_results();
    }
}
