/*
 * The sniffer and raw frames through ESP-IDF's promiscuous mode (esp_wifi.h):
 * esp_wifi_set_promiscuous_filter() / _ctrl_filter() let only the frame
 * types (and control subtypes) asked for through, the receive callback (in
 * the WiFi task) only copies each frame into the core's ring, and an
 * esp_timer hops channels with esp_wifi_set_channel() when there are several.
 * Raw frames go out with esp_wifi_80211_tx() on the station interface, with
 * the driver's sequence numbers (it requires them once associated).
 */
#include <string.h>

#include "esp_timer.h"
#include "esp_wifi.h"

#include "esp32_port.h"
#include "esp32_radio_rules.h"

_Static_assert(ESP32_RULES_FILTER_MGMT == WIFI_PROMIS_FILTER_MASK_MGMT
    && ESP32_RULES_FILTER_CTRL == WIFI_PROMIS_FILTER_MASK_CTRL
    && ESP32_RULES_FILTER_DATA == WIFI_PROMIS_FILTER_MASK_DATA, "esp32_radio_rules.h: promiscuous filter bits");
_Static_assert(ESP32_RULES_CTRL_FILTER_WRAPPER == WIFI_PROMIS_CTRL_FILTER_MASK_WRAPPER
    && ESP32_RULES_CTRL_FILTER_ALL == WIFI_PROMIS_CTRL_FILTER_MASK_ALL, "esp32_radio_rules.h: control filter bits");

static esp_timer_handle_t hop_timer;
// Written before the timer starts and after it stopped (MicroPython thread).
static netman_sniffer_params_t hops;
static size_t hop_at;

static void on_frame(void *buf, wifi_promiscuous_pkt_type_t type) {
    // MISC frames carry no bytes (esp_wifi_types: "the payload is zero length").
    if (type == WIFI_PKT_MISC || !esp32_driver_enter()) {
        return;
    }
    const wifi_promiscuous_pkt_t *pkt = buf;
    netman_core_sniffer_rx(pkt->rx_ctrl.channel, (int8_t)pkt->rx_ctrl.rssi, pkt->payload,
        esp32_rules_frame_length(pkt->rx_ctrl.sig_len));
    esp32_driver_leave();
}

static void on_hop(void *arg) {
    (void)arg;
    hop_at = (hop_at + 1) % hops.channel_count;
    // Refused while the station joins or holds an AP: it stays where the station is.
    esp_wifi_set_channel(hops.channels[hop_at], WIFI_SECOND_CHAN_NONE);
}

static void stop_hopping(void) {
    if (hop_timer != NULL) {
        esp_timer_stop(hop_timer);
        esp_timer_delete(hop_timer);
        hop_timer = NULL;
    }
}

netman_err_t netman_hal_sniffer_start(const netman_sniffer_params_t *params) {
    if (!esp32_is_open()) {
        esp32_set_error("the radio is not running");
        return NETMAN_ERR_STATE;
    }
    stop_hopping();
    hops = *params;
    hop_at = 0;
    wifi_promiscuous_filter_t types = { .filter_mask = esp32_rules_promiscuous_filter(params->filter.types) };
    wifi_promiscuous_filter_t ctrl = { .filter_mask = esp32_rules_ctrl_filter(params->filter.ctrl_subtypes) };
    esp_err_t err = esp_wifi_set_promiscuous_filter(&types);
    if (err == ESP_OK) {
        err = esp_wifi_set_promiscuous_ctrl_filter(&ctrl);
    }
    if (err == ESP_OK) {
        err = esp_wifi_set_promiscuous_rx_cb(on_frame);
    }
    if (err == ESP_OK) {
        err = esp_wifi_set_promiscuous(true);
    }
    if (err == ESP_OK && params->channel_count > 0) {
        err = esp_wifi_set_channel(params->channels[0], WIFI_SECOND_CHAN_NONE);
    }
    if (err == ESP_OK && params->channel_count > 1) {
        const esp_timer_create_args_t args = { .callback = on_hop, .dispatch_method = ESP_TIMER_TASK, .name = "sniff" };
        err = esp_timer_create(&args, &hop_timer);
        if (err == ESP_OK) {
            err = esp_timer_start_periodic(hop_timer, (uint64_t)params->dwell_ms * 1000);
        }
    }
    if (err != ESP_OK) {
        netman_hal_sniffer_stop();
        return esp32_fail(esp32_rules_refusal(err), "sniffer: the driver refused promiscuous mode", err);
    }
    return NETMAN_OK;
}

void netman_hal_sniffer_stop(void) {
    stop_hopping();
    esp_wifi_set_promiscuous(false);
    esp_wifi_set_promiscuous_rx_cb(NULL);
}

netman_err_t netman_hal_send_raw(const uint8_t *frame, size_t len) {
    if (!esp32_is_open()) {
        esp32_set_error("the radio is not running");
        return NETMAN_ERR_STATE;
    }
    // esp_wifi.h: beacons, probe requests and responses, action and non-QoS
    // data frames; anything else is ESP_ERR_INVALID_ARG.
    esp_err_t err = esp_wifi_80211_tx(WIFI_IF_STA, frame, (int)len, true);
    return err == ESP_OK ? NETMAN_OK : esp32_fail(esp32_rules_refusal(err), "send_raw: the driver refused the frame", err);
}
