/*
 * The ESP32 port's decisions (see esp32_rules.h). The evidence for each is
 * the ESP-IDF 5.3-5.5 source or documentation named beside it.
 */
#include "esp32_rules.h"

// What a join that failed, or a session that ended, tells the user.
// ESP-IDF's "Wi-Fi Reason Code" table and station connect phases
// (docs/en/api-guides/wifi.rst) say when the driver reports each code.
netman_reason_t esp32_rules_reason(uint16_t reason, esp32_sta_phase_t phase, bool asked) {
    bool joining = phase != ESP32_STA_ASSOCIATED;
    switch (reason) {
        // Our own leave (esp_wifi_disconnect()); from an AP, its leaving.
        case ESP32_REASON_ASSOC_LEAVE:
            return asked ? NETMAN_REASON_BY_REQUEST : NETMAN_REASON_AP_LEFT;
        case ESP32_REASON_BEACON_TIMEOUT:
            return NETMAN_REASON_BEACON_TIMEOUT;
        // The scan before the join found no AP we may join.
        case ESP32_REASON_NO_AP_FOUND:
        case ESP32_REASON_NO_AP_FOUND_W_COMPATIBLE_SECURITY:
        case ESP32_REASON_NO_AP_FOUND_IN_AUTHMODE_THRESHOLD:
        case ESP32_REASON_NO_AP_FOUND_IN_RSSI_THRESHOLD:
            return NETMAN_REASON_NO_AP_FOUND;
        // The key or the credentials are wrong: the 4-way handshake (WPA2)
        // or SAE (WPA3: CONNECTION_FAIL, which MicroPython's WLAN.status()
        // also reads as a wrong password) or 802.1X did not complete, or the
        // AP refused the authentication (AUTH_FAIL: "not because of a
        // timeout"). The same codes in an established session are a rekey
        // that failed: the session ended, the key was good.
        case ESP32_REASON_AUTH_FAIL:
        case ESP32_REASON_4WAY_HANDSHAKE_TIMEOUT:
        case ESP32_REASON_HANDSHAKE_TIMEOUT:
        case ESP32_REASON_MIC_FAILURE:
        case ESP32_REASON_802_1X_AUTH_FAILED:
        case ESP32_REASON_CONNECTION_FAIL:
        case ESP32_REASON_INVALID_PMKID:
            return joining ? NETMAN_REASON_AUTH_FAILED : NETMAN_REASON_AP_LEFT;
        // The AP and our configuration do not agree on the security suite:
        // the user has to change one of them, as for a wrong key.
        case ESP32_REASON_IE_IN_4WAY_DIFFERS:
        case ESP32_REASON_GROUP_CIPHER_INVALID:
        case ESP32_REASON_PAIRWISE_CIPHER_INVALID:
        case ESP32_REASON_AKMP_INVALID:
        case ESP32_REASON_UNSUPP_RSN_IE_VERSION:
        case ESP32_REASON_INVALID_RSN_IE_CAP:
        case ESP32_REASON_CIPHER_SUITE_REJECTED:
        case ESP32_REASON_BAD_CIPHER_OR_AKM:
            return joining ? NETMAN_REASON_AUTH_FAILED : NETMAN_REASON_AP_LEFT;
        // AUTH_EXPIRE: while joining, the AP did not answer our
        // authentication in time (connect phase s2.2); from the AP later,
        // "no longer valid", which APs send to idle clients. Neither says
        // anything about the key.
        case ESP32_REASON_AUTH_EXPIRE:
        // The AP refused or did not answer the association: full, not
        // ready, or asking us to come back later.
        case ESP32_REASON_ASSOC_FAIL:
        case ESP32_REASON_ASSOC_TOOMANY:
        case ESP32_REASON_ASSOC_NOT_AUTHED:
        case ESP32_REASON_ASSOC_COMEBACK_TIME_TOO_LONG:
        case ESP32_REASON_DISASSOC_DUE_TO_INACTIVITY: // while joining: the association timed out (s3.2)
        case ESP32_REASON_NOT_AUTHORIZED_THIS_LOCATION:
            return joining ? NETMAN_REASON_ASSOC_FAILED : NETMAN_REASON_AP_LEFT;
        // The link failed without the AP saying so: like lost beacons.
        case ESP32_REASON_MISSING_ACKS:
        case ESP32_REASON_SA_QUERY_TIMEOUT:
            return joining ? NETMAN_REASON_ASSOC_FAILED : NETMAN_REASON_BEACON_TIMEOUT;
        default:
            // Deauthentication or disassociation by the AP for its own
            // reasons (3, 6, 7, 10-13, 16, 36, 39, 46, 47, ...), its reboot
            // (AP_TSF_RESET), the driver roaming to another AP (ROAMING: it
            // rejoins by itself).
            return joining ? NETMAN_REASON_ASSOC_FAILED : NETMAN_REASON_AP_LEFT;
    }
}

void esp32_track_open(esp32_sta_track_t *t, bool associated, bool network_left) {
    // network's WLAN.disconnect() ends its session, or its join under way:
    // an ASSOC_LEAVE may follow that belongs to nobody we report to.
    t->phase = associated && !network_left ? ESP32_STA_ASSOCIATED : ESP32_STA_IDLE;
    t->channel = 0;
    t->leave_requested = false;
    t->stale_leave = network_left;
}

bool esp32_track_join(esp32_sta_track_t *t) {
    // The driver does not join while it holds a session (esp_wifi_connect()
    // returns ESP_ERR_WIFI_CONN): leave it first; the core has moved on.
    bool replace = t->phase != ESP32_STA_IDLE;
    if (replace) {
        t->stale_leave = true;
    }
    t->leave_requested = false;
    t->phase = ESP32_STA_JOINING;
    return replace;
}

void esp32_track_join_failed(esp32_sta_track_t *t) {
    t->phase = ESP32_STA_IDLE;
}

bool esp32_track_leave(esp32_sta_track_t *t) {
    bool idle = t->phase == ESP32_STA_IDLE;
    t->leave_requested = !idle;
    if (!idle) {
        // Our own leave is news (by_request), even if an older one was
        // due: better a late ap_left than a by_request swallowed.
        t->stale_leave = false;
    }
    return idle;
}

void esp32_track_leave_failed(esp32_sta_track_t *t) {
    t->leave_requested = false;
}

void esp32_track_connected(esp32_sta_track_t *t, uint8_t channel) {
    // The driver posts the old session's STA_DISCONNECTED before the new
    // one's STA_CONNECTED (one WiFi task posts both): no leave is due now.
    t->stale_leave = false;
    t->phase = ESP32_STA_ASSOCIATED;
    t->channel = channel;
}

bool esp32_track_disconnected(esp32_sta_track_t *t, uint16_t reason, netman_reason_t *out) {
    if (t->stale_leave && reason == ESP32_REASON_ASSOC_LEAVE) {
        t->stale_leave = false;
        return false;
    }
    *out = esp32_rules_reason(reason, t->phase, t->leave_requested);
    t->stale_leave = false;
    t->leave_requested = false;
    t->phase = ESP32_STA_IDLE;
    return true;
}

bool esp32_track_got_ip(const esp32_sta_track_t *t) {
    // A session a join is replacing may still report its address.
    return t->phase == ESP32_STA_ASSOCIATED;
}

bool esp32_track_channel(esp32_sta_track_t *t, uint8_t channel) {
    bool moved = t->phase == ESP32_STA_ASSOCIATED && channel != t->channel;
    if (moved) {
        t->channel = channel;
    }
    return moved;
}

esp32_open_plan_t esp32_rules_open(bool driver_started, bool mode_has_sta) {
    esp32_open_plan_t plan;
    plan.start_driver = !driver_started;
    // The driver posts WIFI_EVENT_STA_START when it starts with the station
    // in its mode, or when the station is added to a running driver
    // (network_wlan.c's active() waits for it in both cases); a station
    // already running has had its STA_START.
    plan.wait_sta_start = !(driver_started && mode_has_sta);
    return plan;
}

esp32_close_plan_t esp32_rules_close(bool network_started, bool started_at_open, uint8_t open_mode) {
    esp32_close_plan_t plan;
    // MicroPython's network module (network_wlan.c, v1.28.0) keeps a static
    // `wifi_started` that only its own network_wlan_active() changes: set,
    // active(True) skips esp_wifi_start() and waits for a STA_START that a
    // stopped driver never posts; unset, active(False) skips esp_wifi_stop()
    // and waits for a STA_STOP that a running driver never posts. So the
    // driver is left running exactly when network believes it is: whoever
    // started it, and also when the application called active(True) on a
    // driver netman had started.
    plan.stop_driver = !network_started;
    // network started it before us: its mode back. It started it while we
    // ran: from its `wifi_started` unset it set the mode to the interface it
    // activated, the station (our AP goes with netman).
    plan.mode = started_at_open ? open_mode : ESP32_MODE_STA;
    return plan;
}

bool esp32_rules_mdns_now(bool in_dispatch, bool needs_free) {
    // Outside a dispatch the component's handlers may go at once (the loop's
    // mutex makes the unregistration wait for a dispatch under way). Inside
    // one, only a start with nothing to free: registering a handler does not
    // free what the loop holds.
    return !in_dispatch || !needs_free;
}
