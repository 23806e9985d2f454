/*
 * The ESP32 port's decisions, as plain functions over what ESP-IDF reports:
 * what a disconnect reason means, which driver events belong to the session
 * the core knows, when to wait for the driver, what to leave behind for
 * MicroPython's own network module, and when an mDNS change must wait until
 * the event loop's dispatch is over. No ESP-IDF header here: the host suite
 * runs these functions over the event sequences the driver produces
 * (tests/c/test_esp32_rules.c), and netman_hal_esp32.c checks at build time that
 * the reason numbers below are the driver's.
 */
#ifndef NETMAN_ESP32_RULES_H
#define NETMAN_ESP32_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "netman_hal.h"

// wifi_err_reason_t (esp_wifi_types.h in IDF 5.3, esp_wifi_types_generic.h in
// 5.4 and 5.5; the same numbers in all three, 5.4 adds aliases for 4, 6, 7).
enum {
    ESP32_REASON_UNSPECIFIED = 1,
    ESP32_REASON_AUTH_EXPIRE = 2,
    ESP32_REASON_AUTH_LEAVE = 3,
    ESP32_REASON_DISASSOC_DUE_TO_INACTIVITY = 4,
    ESP32_REASON_ASSOC_TOOMANY = 5,
    ESP32_REASON_CLASS2_FRAME_FROM_NONAUTH_STA = 6,
    ESP32_REASON_CLASS3_FRAME_FROM_NONASSOC_STA = 7,
    ESP32_REASON_ASSOC_LEAVE = 8,
    ESP32_REASON_ASSOC_NOT_AUTHED = 9,
    ESP32_REASON_DISASSOC_PWRCAP_BAD = 10,
    ESP32_REASON_DISASSOC_SUPCHAN_BAD = 11,
    ESP32_REASON_BSS_TRANSITION_DISASSOC = 12,
    ESP32_REASON_IE_INVALID = 13,
    ESP32_REASON_MIC_FAILURE = 14,
    ESP32_REASON_4WAY_HANDSHAKE_TIMEOUT = 15,
    ESP32_REASON_GROUP_KEY_UPDATE_TIMEOUT = 16,
    ESP32_REASON_IE_IN_4WAY_DIFFERS = 17,
    ESP32_REASON_GROUP_CIPHER_INVALID = 18,
    ESP32_REASON_PAIRWISE_CIPHER_INVALID = 19,
    ESP32_REASON_AKMP_INVALID = 20,
    ESP32_REASON_UNSUPP_RSN_IE_VERSION = 21,
    ESP32_REASON_INVALID_RSN_IE_CAP = 22,
    ESP32_REASON_802_1X_AUTH_FAILED = 23,
    ESP32_REASON_CIPHER_SUITE_REJECTED = 24,
    ESP32_REASON_BAD_CIPHER_OR_AKM = 29,
    ESP32_REASON_NOT_AUTHORIZED_THIS_LOCATION = 30,
    ESP32_REASON_MISSING_ACKS = 34,
    ESP32_REASON_STA_LEAVING = 36,
    ESP32_REASON_TIMEOUT = 39,
    ESP32_REASON_INVALID_PMKID = 49,
    ESP32_REASON_BEACON_TIMEOUT = 200,
    ESP32_REASON_NO_AP_FOUND = 201,
    ESP32_REASON_AUTH_FAIL = 202,
    ESP32_REASON_ASSOC_FAIL = 203,
    ESP32_REASON_HANDSHAKE_TIMEOUT = 204,
    ESP32_REASON_CONNECTION_FAIL = 205,
    ESP32_REASON_AP_TSF_RESET = 206,
    ESP32_REASON_ROAMING = 207,
    ESP32_REASON_ASSOC_COMEBACK_TIME_TOO_LONG = 208,
    ESP32_REASON_SA_QUERY_TIMEOUT = 209,
    ESP32_REASON_NO_AP_FOUND_W_COMPATIBLE_SECURITY = 210,
    ESP32_REASON_NO_AP_FOUND_IN_AUTHMODE_THRESHOLD = 211,
    ESP32_REASON_NO_AP_FOUND_IN_RSSI_THRESHOLD = 212,
};

// ---- the station's session, as the driver's events tell it -----------------------

typedef enum {
    ESP32_STA_IDLE,         // no session: nothing to leave
    ESP32_STA_JOINING,      // esp_wifi_connect() accepted, no STA_CONNECTED yet
    ESP32_STA_ASSOCIATED,   // STA_CONNECTED seen, no STA_DISCONNECTED since
} esp32_sta_phase_t;

typedef struct {
    esp32_sta_phase_t phase;
    uint8_t channel;        // of the AP we are associated with
    bool leave_requested;   // we asked to leave: ASSOC_LEAVE means by_request
    bool stale_leave;       // one ASSOC_LEAVE of a session nobody follows is due
} esp32_sta_track_t;

// The netman reason for a STA_DISCONNECTED: what ended the session, or why
// the join failed (a join's phase is JOINING), for the user to act on.
netman_reason_t esp32_rules_reason(uint16_t reason, esp32_sta_phase_t phase, bool asked);

// netman_hal_open(): associated is whether the driver holds a session
// (esp_wifi_sta_get_ap_info() is ESP_OK); network_left is whether we asked
// MicroPython's network module to leave it (its WLAN.disconnect()).
void esp32_track_open(esp32_sta_track_t *t, bool associated, bool network_left);
// A join starts; true if a session must be left first (esp_wifi_disconnect()),
// whose ASSOC_LEAVE is then no news.
bool esp32_track_join(esp32_sta_track_t *t);
// The join could not start (the driver refused it).
void esp32_track_join_failed(esp32_sta_track_t *t);
// sta_disconnect(): true if there is no session to leave, so no event will
// come and the port answers itself.
bool esp32_track_leave(esp32_sta_track_t *t);
// The leave request failed: nothing is being left.
void esp32_track_leave_failed(esp32_sta_track_t *t);
// WIFI_EVENT_STA_CONNECTED.
void esp32_track_connected(esp32_sta_track_t *t, uint8_t channel);
// WIFI_EVENT_STA_DISCONNECTED: true if the core is to hear of it, with *out
// the netman reason.
bool esp32_track_disconnected(esp32_sta_track_t *t, uint16_t reason, netman_reason_t *out);
// IP_EVENT_STA_GOT_IP: true if it belongs to the current session.
bool esp32_track_got_ip(const esp32_sta_track_t *t);
// WIFI_EVENT_HOME_CHANNEL_CHANGE: true if the AP we are on moved.
bool esp32_track_channel(esp32_sta_track_t *t, uint8_t channel);

// ---- sharing the driver with MicroPython's network module ------------------------

// The driver's modes (wifi_mode_t, esp_wifi_types_generic.h: bits, which
// network_wlan.c relies on too).
enum {
    ESP32_MODE_NULL = 0,
    ESP32_MODE_STA = 1,
    ESP32_MODE_AP = 2,
};

typedef struct {
    bool start_driver;      // call esp_wifi_start()
    bool wait_sta_start;    // wait for WIFI_EVENT_STA_START before any request
} esp32_open_plan_t;

// How netman_hal_open() takes the driver: driver_started is whether
// esp_wifi_start() ran already (network.WLAN(...).active(True)), mode_has_sta
// whether the station interface is in the driver's mode.
esp32_open_plan_t esp32_rules_open(bool driver_started, bool mode_has_sta);

typedef struct {
    bool stop_driver;       // esp_wifi_stop(); else keep it running, in `mode`
    uint8_t mode;           // ESP32_MODE_*
} esp32_close_plan_t;

// How netman_hal_close() leaves the driver: network_started is what network
// believes (its `wifi_started`, read through WLAN.active()); started_at_open
// and open_mode are the driver as netman_hal_open() found it.
esp32_close_plan_t esp32_rules_close(bool network_started, bool started_at_open, uint8_t open_mode);

// ---- mDNS and the event loop --------------------------------------------------------

// Whether an mDNS start or stop may run now, or must be handed to another
// task: mdns_free() unregisters the component's event handlers, and on IDF
// 5.3.0-5.3.2 and 5.4.0 doing that inside a dispatch frees the node the
// loop is iterating (esp_event.c, fixed by "Handler unregistration by itself
// issue" in 5.3.3 and 5.4.1). in_dispatch: called from our own event
// handler; needs_free: the request frees a running responder (a stop, or a
// start that replaces one).
bool esp32_rules_mdns_now(bool in_dispatch, bool needs_free);

#endif // NETMAN_ESP32_RULES_H
