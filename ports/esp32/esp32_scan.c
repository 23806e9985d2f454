/*
 * Scans: a non-blocking esp_wifi_scan_start(); on WIFI_EVENT_SCAN_DONE (in
 * the esp_event task) the driver's records are read one at a time into a
 * stack struct and handed to the core's bounded buffer.
 */
#include <string.h>

#include "esp_wifi.h"

#include "esp32_port.h"

// Longer dwell per channel may cost the station its AP (esp_wifi.h).
#define DWELL_MAX_MS (1500)

// Whether the scan under way is ours: network.WLAN.scan() reads its own results.
static volatile bool scan_ours;
// The driver is given pointers to these.
static uint8_t scan_ssid[NETMAN_SSID_MAX + 1];
static uint8_t scan_bssid[NETMAN_MAC_LEN];

netman_err_t netman_hal_scan_start(const netman_scan_params_t *params) {
    if (!esp32_is_open()) {
        esp32_set_error("the radio is not running");
        return NETMAN_ERR_STATE;
    }
    wifi_scan_config_t config;
    memset(&config, 0, sizeof(config));
    if (params->ssid_len != 0) {
        size_t len = params->ssid_len < NETMAN_SSID_MAX ? params->ssid_len : NETMAN_SSID_MAX;
        memcpy(scan_ssid, params->ssid, len);
        scan_ssid[len] = '\0';
        config.ssid = scan_ssid;
    }
    if (params->match_bssid) {
        memcpy(scan_bssid, params->bssid, NETMAN_MAC_LEN);
        config.bssid = scan_bssid;
    }
    config.channel = params->channel;
    config.show_hidden = params->show_hidden;
    config.scan_type = params->passive ? WIFI_SCAN_TYPE_PASSIVE : WIFI_SCAN_TYPE_ACTIVE;
    // 0 leaves the driver's defaults (active up to 120 ms, passive 360 ms).
    uint32_t dwell = params->dwell_ms < DWELL_MAX_MS ? params->dwell_ms : DWELL_MAX_MS;
    config.scan_time.active.max = dwell;
    config.scan_time.passive = dwell;
    // While associated, go home between channels so the AP keeps us.
    config.home_chan_dwell_time = WIFI_SCAN_HOME_CHANNEL_DWELL_DEFAULT_TIME;
    scan_ours = true;
    esp_err_t err = esp_wifi_scan_start(&config, false);
    if (err != ESP_OK) {
        scan_ours = false;
        if (err == ESP_ERR_WIFI_STATE) {
            return esp32_fail(NETMAN_ERR_BUSY, "scan: the driver is busy joining", err);
        }
        return esp32_fail(NETMAN_ERR_IO, "scan: the driver refused", err);
    }
    return NETMAN_OK;
}

void esp32_scan_done(const wifi_event_sta_scan_done_t *done) {
    if (!scan_ours) {
        return;
    }
    scan_ours = false;
    wifi_ap_record_t record;
    while (esp_wifi_scan_get_ap_record(&record) == ESP_OK) {
        netman_scan_result_t result;
        memset(&result, 0, sizeof(result));
        memcpy(result.bssid, record.bssid, NETMAN_MAC_LEN);
        size_t len = strnlen((const char *)record.ssid, NETMAN_SSID_MAX);
        memcpy(result.ssid, record.ssid, len);
        result.ssid_len = len;
        result.hidden = len == 0;
        result.rssi = record.rssi;
        result.channel = record.primary;
        result.authmode = esp32_authmode(record.authmode);
        netman_core_scan_result(&result);
    }
    esp_wifi_clear_ap_list();
    netman_event_t event = { .kind = NETMAN_EV_SCAN_DONE };
    event.u.scan_status = done->status == 0 ? NETMAN_SCAN_OK : NETMAN_SCAN_FAILED;
    netman_core_post(&event);
}

void netman_hal_scan_abort(void) {
    // The core gave up on our scan: what esp_wifi_scan_stop() (or a late
    // end) posts as WIFI_EVENT_SCAN_DONE is not ours any more.
    if (scan_ours) {
        scan_ours = false;
        esp_wifi_scan_stop();
    }
}

void esp32_scan_reset(void) {
    scan_ours = false;
}
