/*
 * ESP-NOW through the driver (esp_now.h). Received frames go from the WiFi
 * task straight into the core's ring; each send completes with one
 * NETMAN_EV_ESPNOW_SENT, in order, from the driver's send callback.
 *
 * The driver keeps its own peer table and encrypts for real: the core hands
 * it the PMK and every peer change (netman_hal_espnow_set_pmk / _peer_set /
 * _peer_del), so the key ids the host build's air uses are not needed here.
 *
 * MicroPython's own espnow module uses the same driver: not both at once.
 *
 * ESP-NOW also runs on a radio MicroPython's network module started, netman
 * not started (network.WLAN(network.STA_IF).active(True), then
 * ESPNow().active(True), as MicroPython documents espnow): on the channel
 * network set (sta.config(channel=N) calls esp_wifi_set_channel(), which
 * is where the driver sends and listens, esp_now.h: a peer's channel 0 is
 * "the current channel"). So the callbacks have a gate of their own, open
 * while ESP-NOW is, which esp32_espnow_close() waits to be empty.
 */
#include <string.h>

#include "esp_idf_version.h"
#include "esp_now.h"
#include "esp_wifi.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

#include "esp32_port.h"

// How long a send waits for room in the driver's transmit queue.
#define SEND_WAIT_US (1000 * 1000)

static portMUX_TYPE gate_mux = portMUX_INITIALIZER_UNLOCKED;
static bool espnow_on;                  // under gate_mux
static unsigned int callbacks_inside;   // under gate_mux

static bool enter(void) {
    taskENTER_CRITICAL(&gate_mux);
    bool on = espnow_on;
    if (on) {
        callbacks_inside++;
    }
    taskEXIT_CRITICAL(&gate_mux);
    return on;
}

static void leave(void) {
    taskENTER_CRITICAL(&gate_mux);
    callbacks_inside--;
    taskEXIT_CRITICAL(&gate_mux);
}

static bool is_on(void) {
    taskENTER_CRITICAL(&gate_mux);
    bool on = espnow_on;
    taskEXIT_CRITICAL(&gate_mux);
    return on;
}

static void on_recv(const esp_now_recv_info_t *info, const uint8_t *data, int len) {
    if (len <= 0 || !enter()) {
        return;
    }
    // The driver decrypted whatever was encrypted: no key id goes up.
    netman_core_espnow_rx(info->src_addr, (int8_t)info->rx_ctrl->rssi, data, (size_t)len, NULL);
    leave();
}

#if ESP_IDF_VERSION < ESP_IDF_VERSION_VAL(5, 5, 0)
static void on_sent(const uint8_t *mac, esp_now_send_status_t status) {
    (void)mac;
#else
static void on_sent(const esp_now_send_info_t *info, esp_now_send_status_t status) {
    (void)info;
#endif
    if (enter()) {
        netman_event_t event = { .kind = NETMAN_EV_ESPNOW_SENT };
        event.u.sent.acked = status == ESP_NOW_SEND_SUCCESS;
        netman_core_post(&event);
        leave();
    }
}

bool netman_hal_radio_started(void) {
    // esp_wifi_scan_get_ap_num() answers ESP_ERR_WIFI_NOT_INIT before
    // esp_wifi_init() and ESP_ERR_WIFI_NOT_STARTED before esp_wifi_start()
    // (esp_wifi.h).
    uint16_t heard;
    return esp_wifi_scan_get_ap_num(&heard) == ESP_OK;
}

netman_err_t netman_hal_espnow_active(bool active) {
    if (!active) {
        esp32_espnow_close();
        return NETMAN_OK;
    }
    if (is_on()) {
        return NETMAN_OK;
    }
    if (!esp32_is_open() && !netman_hal_radio_started()) {
        esp32_set_error("the radio is not running");
        return NETMAN_ERR_STATE;
    }
    esp_err_t err = esp_now_init();
    if (err == ESP_OK) {
        err = esp_now_register_recv_cb(on_recv);
    }
    if (err == ESP_OK) {
        err = esp_now_register_send_cb(on_sent);
    }
    if (err != ESP_OK) {
        esp_now_deinit();
        return esp32_fail(NETMAN_ERR_IO, "ESP-NOW: cannot start", err);
    }
    taskENTER_CRITICAL(&gate_mux);
    espnow_on = true;
    taskEXIT_CRITICAL(&gate_mux);
    return NETMAN_OK;
}

void esp32_espnow_close(void) {
    taskENTER_CRITICAL(&gate_mux);
    bool was_on = espnow_on;
    espnow_on = false;
    taskEXIT_CRITICAL(&gate_mux);
    if (!was_on) {
        return;
    }
    // Callbacks already inside finish; new ones find the gate shut.
    for (;;) {
        taskENTER_CRITICAL(&gate_mux);
        bool busy = callbacks_inside != 0;
        taskEXIT_CRITICAL(&gate_mux);
        if (!busy) {
            break;
        }
        vTaskDelay(1);
    }
    esp_now_unregister_recv_cb();
    esp_now_unregister_send_cb();
    esp_now_deinit(); // forgets the driver's peers too
}

netman_err_t netman_hal_espnow_set_pmk(const uint8_t pmk[NETMAN_ESPNOW_KEY_LEN]) {
    esp_err_t err = esp_now_set_pmk(pmk);
    return err == ESP_OK ? NETMAN_OK : esp32_fail(NETMAN_ERR_IO, "ESP-NOW: the driver refused the PMK", err);
}

netman_err_t netman_hal_espnow_peer_set(const netman_espnow_peer_t *peer, bool add) {
    esp_now_peer_info_t info;
    memset(&info, 0, sizeof(info));
    memcpy(info.peer_addr, peer->mac, NETMAN_MAC_LEN);
    if (peer->has_lmk) {
        memcpy(info.lmk, peer->lmk, NETMAN_ESPNOW_KEY_LEN);
    }
    info.channel = peer->channel;
    info.ifidx = peer->ifidx == 1 ? WIFI_IF_AP : WIFI_IF_STA;
    info.encrypt = peer->encrypt;
    esp_err_t err = add ? esp_now_add_peer(&info) : esp_now_mod_peer(&info);
    esp32_wipe(info.lmk, sizeof(info.lmk));
    return err == ESP_OK ? NETMAN_OK : esp32_fail(NETMAN_ERR_IO, "ESP-NOW: the driver refused the peer", err);
}

netman_err_t netman_hal_espnow_peer_del(const uint8_t mac[NETMAN_MAC_LEN]) {
    esp_err_t err = esp_now_del_peer(mac);
    return err == ESP_OK ? NETMAN_OK : esp32_fail(NETMAN_ERR_IO, "ESP-NOW: the driver refused to delete the peer", err);
}

// As MicroPython sets it (modespnow.c, espnow_config): on each interface
// the WiFi mode has on.
netman_err_t netman_hal_espnow_rate(uint8_t rate) {
    wifi_mode_t mode;
    esp_err_t err = esp_wifi_get_mode(&mode);
    if (err == ESP_OK && (mode & WIFI_MODE_STA)) {
        err = esp_wifi_config_espnow_rate(WIFI_IF_STA, (wifi_phy_rate_t)rate);
    }
    if (err == ESP_OK && (mode & WIFI_MODE_AP)) {
        err = esp_wifi_config_espnow_rate(WIFI_IF_AP, (wifi_phy_rate_t)rate);
    }
    return err == ESP_OK ? NETMAN_OK : esp32_fail(NETMAN_ERR_IO, "ESP-NOW: the driver refused the rate", err);
}

netman_err_t netman_hal_espnow_send(const uint8_t mac[NETMAN_MAC_LEN], const uint8_t *data, size_t len,
    const uint8_t *key_id) {
    if (!is_on()) {
        esp32_set_error("ESP-NOW is not active");
        return NETMAN_ERR_STATE;
    }
    // The driver encrypts for the peer itself (its LMK came with peer_set).
    (void)key_id;
    // A full transmit queue empties as the earlier sends complete.
    esp_err_t err;
    int64_t give_up = esp_timer_get_time() + SEND_WAIT_US;
    while ((err = esp_now_send(mac, data, len)) == ESP_ERR_ESPNOW_NO_MEM && esp_timer_get_time() < give_up) {
        vTaskDelay(1);
    }
    if (err != ESP_OK) {
        return esp32_fail(NETMAN_ERR_IO, "ESP-NOW: send failed", err);
    }
    return NETMAN_OK;
}
