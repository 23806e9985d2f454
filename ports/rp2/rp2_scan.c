/*
 * Scanning with the CYW43439's escan. The driver's own scan call fixes every
 * timing to the firmware default, so the request is made here with the same
 * layout and our dwell times; results arrive in the driver's poll (PendSV)
 * through the same callback slot, straight into the core's scan buffer.
 */
#include <string.h>

#include "lib/cyw43-driver/src/cyw43.h"

#include "rp2_port.h"

static bool scanning;

static uint8_t authmode(uint8_t security) {
    // The driver reports bits: 1 privacy, 2 a WPA element, 4 an RSN element.
    if ((security & 6) == 6) {
        return NETMAN_AUTH_WPA_WPA2_PSK;
    } else if (security & 4) {
        return NETMAN_AUTH_WPA2_PSK;
    } else if (security & 2) {
        return NETMAN_AUTH_WPA_PSK;
    } else if (security & 1) {
        return NETMAN_AUTH_WEP;
    }
    return NETMAN_AUTH_OPEN;
}

static int on_result(void *env, const cyw43_ev_scan_result_t *found) {
    (void)env;
    netman_scan_result_t result;
    memset(&result, 0, sizeof(result));
    memcpy(result.bssid, found->bssid, NETMAN_MAC_LEN);
    result.ssid_len = found->ssid_len <= NETMAN_SSID_MAX ? found->ssid_len : NETMAN_SSID_MAX;
    memcpy(result.ssid, found->ssid, result.ssid_len);
    // A hidden network beacons an empty SSID, or one of zero bytes.
    result.hidden = true;
    for (size_t i = 0; i < result.ssid_len; i++) {
        result.hidden = result.hidden && result.ssid[i] == 0;
    }
    if (result.hidden) {
        result.ssid_len = 0;
    }
    result.rssi = (int8_t)found->rssi;
    result.channel = (uint8_t)found->channel;
    result.authmode = authmode(found->auth_mode);
    // The core applies the filters (channel, BSSID, hidden) to what it keeps.
    netman_core_scan_result(&result);
    return 0;
}

netman_err_t netman_hal_scan_start(const netman_scan_params_t *params) {
    if (scanning || cyw43_wifi_scan_active(&cyw43_state)) {
        return rp2_fail(NETMAN_ERR_BUSY, "a scan is already running");
    }
    cyw43_wifi_scan_options_t options;
    memset(&options, 0, sizeof(options));
    cyw43_wifi_scan_options_t *opts = &options;
    opts->version = 1;              // ESCAN_REQ_VERSION
    opts->action = 1;               // WL_SCAN_ACTION_START
    opts->ssid_len = params->ssid_len;
    memcpy(opts->ssid, params->ssid, params->ssid_len);
    memset(opts->bssid, 0xff, sizeof(opts->bssid));
    opts->bss_type = 2;             // any
    opts->scan_type = params->passive ? 1 : 0;
    opts->nprobes = -1;
    opts->active_time = params->passive ? -1 : params->dwell_ms;
    opts->passive_time = params->passive ? params->dwell_ms : -1;
    opts->home_time = -1;
    opts->channel_num = 0;          // all channels
    // The escan request: "escan\0" then the options, as the driver sends them.
    uint8_t request[6 + sizeof(options)];
    memcpy(request, "escan", 6);
    memcpy(request + 6, &options, sizeof(options));
    netman_hal_lock();
    cyw43_state.wifi_scan_env = NULL;
    cyw43_state.wifi_scan_cb = on_result;
    cyw43_state.wifi_scan_state = 1;
    scanning = true;
    netman_hal_unlock();
    rp2_events_forget_scan();
    if (cyw43_ioctl(&cyw43_state, CYW43_IOCTL_SET_VAR, sizeof(request), request, CYW43_ITF_STA) != 0) {
        netman_hal_lock();
        cyw43_state.wifi_scan_state = 0;
        scanning = false;
        netman_hal_unlock();
        return rp2_fail(NETMAN_ERR_IO, "the WiFi chip refused the scan");
    }
    return NETMAN_OK;
}

// The driver ends its scan only on a final ESCAN_RESULT with status 0
// (cyw43_ctrl.c, cyw43_cb_process_async_event); another final status (an
// abort, a failure) leaves its scan state set forever, and a refused escan
// ioctl is not even reported (cyw43_ll.c, cyw43_do_ioctl drops the
// firmware's status). The first we see in the chip's events and end the
// scan as failed; the second only the core's bound ends (netman_scan.c).
void rp2_scan_watch(uint32_t events) {
    uint8_t status;
    if (scanning && rp2_scan_ended(cyw43_wifi_scan_active(&cyw43_state), events, &status)) {
        rp2_scan_reset();
        netman_event_t done = { .kind = NETMAN_EV_SCAN_DONE };
        done.u.scan_status = status;
        netman_core_post(&done);
    }
}

// The core gave up on the scan (its bound passed): the driver's scan state
// is cleared so that its next scan is not refused as busy, and what the
// chip still sends of this one no longer reaches the core's buffer.
void netman_hal_scan_abort(void) {
    rp2_scan_reset();
}

void rp2_scan_reset(void) {
    netman_hal_lock();
    scanning = false;
    cyw43_state.wifi_scan_state = 0;
    netman_hal_unlock();
}
