/*
 * The ESP32 port's decisions (ports/esp32/esp32_rules.c) over the event
 * sequences ESP-IDF 5.3-5.5 produces.
 */
// sources: ports/esp32/esp32_rules.c cmod/netman/netman_event_check.c
// include: cmod/netman ports/esp32
#include "check.h"
#include "esp32_rules.h"
#include "netman_event_check.h"

static const netman_reason_t NOT_POSTED = NETMAN_REASON_COUNT;

// One STA_DISCONNECTED: the reason posted to the core, or NOT_POSTED.
static netman_reason_t disconnected(esp32_sta_track_t *t, uint16_t reason) {
    netman_reason_t out = NETMAN_REASON_NONE;
    return esp32_track_disconnected(t, reason, &out) ? out : NOT_POSTED;
}

static void reasons_while_joining(void) {
    const esp32_sta_phase_t j = ESP32_STA_JOINING;
    // Wrong key: WPA2's 4-way handshake times out, WPA3 (SAE) fails the connection.
    CHECK(esp32_rules_reason(ESP32_REASON_4WAY_HANDSHAKE_TIMEOUT, j, false) == NETMAN_REASON_AUTH_FAILED);
    CHECK(esp32_rules_reason(ESP32_REASON_HANDSHAKE_TIMEOUT, j, false) == NETMAN_REASON_AUTH_FAILED);
    CHECK(esp32_rules_reason(ESP32_REASON_CONNECTION_FAIL, j, false) == NETMAN_REASON_AUTH_FAILED);
    CHECK(esp32_rules_reason(ESP32_REASON_AUTH_FAIL, j, false) == NETMAN_REASON_AUTH_FAILED);
    CHECK(esp32_rules_reason(ESP32_REASON_MIC_FAILURE, j, false) == NETMAN_REASON_AUTH_FAILED);
    CHECK(esp32_rules_reason(ESP32_REASON_802_1X_AUTH_FAILED, j, false) == NETMAN_REASON_AUTH_FAILED);
    CHECK(esp32_rules_reason(ESP32_REASON_PAIRWISE_CIPHER_INVALID, j, false) == NETMAN_REASON_AUTH_FAILED);
    // No AP to join, whatever the threshold that ruled them out.
    CHECK(esp32_rules_reason(ESP32_REASON_NO_AP_FOUND, j, false) == NETMAN_REASON_NO_AP_FOUND);
    CHECK(esp32_rules_reason(ESP32_REASON_NO_AP_FOUND_W_COMPATIBLE_SECURITY, j, false) == NETMAN_REASON_NO_AP_FOUND);
    CHECK(esp32_rules_reason(ESP32_REASON_NO_AP_FOUND_IN_AUTHMODE_THRESHOLD, j, false) == NETMAN_REASON_NO_AP_FOUND);
    CHECK(esp32_rules_reason(ESP32_REASON_NO_AP_FOUND_IN_RSSI_THRESHOLD, j, false) == NETMAN_REASON_NO_AP_FOUND);
    // The AP did not answer our authentication (connect phase s2.2): not a key problem.
    CHECK(esp32_rules_reason(ESP32_REASON_AUTH_EXPIRE, j, false) == NETMAN_REASON_ASSOC_FAILED);
    CHECK(esp32_rules_reason(ESP32_REASON_ASSOC_FAIL, j, false) == NETMAN_REASON_ASSOC_FAILED);
    CHECK(esp32_rules_reason(ESP32_REASON_ASSOC_TOOMANY, j, false) == NETMAN_REASON_ASSOC_FAILED);
    CHECK(esp32_rules_reason(ESP32_REASON_ASSOC_COMEBACK_TIME_TOO_LONG, j, false) == NETMAN_REASON_ASSOC_FAILED);
    CHECK(esp32_rules_reason(ESP32_REASON_UNSPECIFIED, j, false) == NETMAN_REASON_ASSOC_FAILED);
    // Our own leave of a join under way.
    CHECK(esp32_rules_reason(ESP32_REASON_ASSOC_LEAVE, j, true) == NETMAN_REASON_BY_REQUEST);
}

static void reasons_of_a_session(void) {
    const esp32_sta_phase_t a = ESP32_STA_ASSOCIATED;
    // APs send AUTH_EXPIRE to clients they drop for idling: the key was fine.
    CHECK(esp32_rules_reason(ESP32_REASON_AUTH_EXPIRE, a, false) == NETMAN_REASON_AP_LEFT);
    CHECK(esp32_rules_reason(ESP32_REASON_4WAY_HANDSHAKE_TIMEOUT, a, false) == NETMAN_REASON_AP_LEFT);
    CHECK(esp32_rules_reason(ESP32_REASON_GROUP_KEY_UPDATE_TIMEOUT, a, false) == NETMAN_REASON_AP_LEFT);
    CHECK(esp32_rules_reason(ESP32_REASON_AUTH_LEAVE, a, false) == NETMAN_REASON_AP_LEFT);
    CHECK(esp32_rules_reason(ESP32_REASON_DISASSOC_DUE_TO_INACTIVITY, a, false) == NETMAN_REASON_AP_LEFT);
    CHECK(esp32_rules_reason(ESP32_REASON_ASSOC_TOOMANY, a, false) == NETMAN_REASON_AP_LEFT);
    CHECK(esp32_rules_reason(ESP32_REASON_AP_TSF_RESET, a, false) == NETMAN_REASON_AP_LEFT);
    CHECK(esp32_rules_reason(ESP32_REASON_ROAMING, a, false) == NETMAN_REASON_AP_LEFT);
    CHECK(esp32_rules_reason(ESP32_REASON_BEACON_TIMEOUT, a, false) == NETMAN_REASON_BEACON_TIMEOUT);
    CHECK(esp32_rules_reason(ESP32_REASON_MISSING_ACKS, a, false) == NETMAN_REASON_BEACON_TIMEOUT);
    CHECK(esp32_rules_reason(ESP32_REASON_SA_QUERY_TIMEOUT, a, false) == NETMAN_REASON_BEACON_TIMEOUT);
    CHECK(esp32_rules_reason(ESP32_REASON_ASSOC_LEAVE, a, true) == NETMAN_REASON_BY_REQUEST);
    CHECK(esp32_rules_reason(ESP32_REASON_ASSOC_LEAVE, a, false) == NETMAN_REASON_AP_LEFT);
}

static void every_code_ends_a_connection(void) {
    int bad = 0;
    for (int phase = ESP32_STA_IDLE; phase <= ESP32_STA_ASSOCIATED; phase++) {
        for (int code = 0; code <= 0xffff; code++) {
            netman_reason_t r = esp32_rules_reason((uint16_t)code, (esp32_sta_phase_t)phase, code & 1);
            bad += !netman_reason_ends_connection(r) || r == NETMAN_REASON_NO_RADIO;
        }
    }
    CHECK(bad == 0);
}

static void join_connect_leave(void) {
    esp32_sta_track_t t;
    esp32_track_open(&t, false, false);
    CHECK(!esp32_track_join(&t));
    CHECK(!esp32_track_got_ip(&t)); // not associated yet
    esp32_track_connected(&t, 6);
    CHECK(esp32_track_got_ip(&t));
    CHECK(!esp32_track_leave(&t)); // a session: the driver will answer
    CHECK(disconnected(&t, ESP32_REASON_ASSOC_LEAVE) == NETMAN_REASON_BY_REQUEST);
    CHECK(esp32_track_leave(&t)); // now nothing to leave: the port answers itself
}

static void join_fails_then_session_lost(void) {
    esp32_sta_track_t t;
    esp32_track_open(&t, false, false);
    esp32_track_join(&t);
    CHECK(disconnected(&t, ESP32_REASON_4WAY_HANDSHAKE_TIMEOUT) == NETMAN_REASON_AUTH_FAILED);
    esp32_track_join(&t);
    esp32_track_connected(&t, 1);
    CHECK(disconnected(&t, ESP32_REASON_AUTH_EXPIRE) == NETMAN_REASON_AP_LEFT);
    esp32_track_join(&t);
    esp32_track_connected(&t, 1);
    CHECK(disconnected(&t, ESP32_REASON_BEACON_TIMEOUT) == NETMAN_REASON_BEACON_TIMEOUT);
    // The AP leaving on its own is not our request.
    esp32_track_join(&t);
    esp32_track_connected(&t, 1);
    CHECK(disconnected(&t, ESP32_REASON_ASSOC_LEAVE) == NETMAN_REASON_AP_LEFT);
}

static void join_replaces_a_session(void) {
    esp32_sta_track_t t;
    esp32_track_open(&t, false, false);
    esp32_track_join(&t);
    esp32_track_connected(&t, 6);
    // sta_connect() with new values: leave first; that leave is no news.
    CHECK(esp32_track_join(&t));
    CHECK(!esp32_track_got_ip(&t)); // the old session's address
    CHECK(disconnected(&t, ESP32_REASON_ASSOC_LEAVE) == NOT_POSTED);
    esp32_track_connected(&t, 11);
    CHECK(esp32_track_got_ip(&t));
    // The new session's end is reported.
    CHECK(disconnected(&t, ESP32_REASON_BEACON_TIMEOUT) == NETMAN_REASON_BEACON_TIMEOUT);
}

static void open_over_a_session_of_network(void) {
    // boot.py: sta.active(True); sta.connect(...); main.py: netman.start().
    esp32_sta_track_t t;
    esp32_track_open(&t, true, true); // WLAN.disconnect() left it
    CHECK(!esp32_track_join(&t));     // nothing left to leave
    CHECK(disconnected(&t, ESP32_REASON_ASSOC_LEAVE) == NOT_POSTED);
    esp32_track_connected(&t, 5);
    CHECK(!esp32_track_leave(&t));
    CHECK(disconnected(&t, ESP32_REASON_ASSOC_LEAVE) == NETMAN_REASON_BY_REQUEST);
}

static void open_after_network_was_idle(void) {
    // network's station started but never joined: its disconnect posts nothing.
    esp32_sta_track_t t;
    esp32_track_open(&t, false, true);
    esp32_track_join(&t);
    esp32_track_connected(&t, 5); // the leave that never came is no longer due
    CHECK(!esp32_track_leave(&t));
    CHECK(disconnected(&t, ESP32_REASON_ASSOC_LEAVE) == NETMAN_REASON_BY_REQUEST);
}

static void managed_open_over_network_then_disconnect(void) {
    // managed: no join; sta_disconnect() answers at once; network's leave comes later.
    esp32_sta_track_t t;
    esp32_track_open(&t, true, true);
    CHECK(esp32_track_leave(&t));
    CHECK(disconnected(&t, ESP32_REASON_ASSOC_LEAVE) == NOT_POSTED);
}

static void a_left_association_stays_visible(void) {
    // network associated, but we could not make it leave (WLAN.disconnect() raised).
    esp32_sta_track_t t;
    esp32_track_open(&t, true, false);
    CHECK(esp32_track_join(&t)); // our join leaves it first
    CHECK(disconnected(&t, ESP32_REASON_ASSOC_LEAVE) == NOT_POSTED);
}

static void channel_moves(void) {
    esp32_sta_track_t t;
    esp32_track_open(&t, false, false);
    esp32_track_join(&t);
    CHECK(!esp32_track_channel(&t, 3)); // not associated: no AP to follow
    esp32_track_connected(&t, 6);
    CHECK(!esp32_track_channel(&t, 6));
    CHECK(esp32_track_channel(&t, 11));
    CHECK(!esp32_track_channel(&t, 11));
}

static void open_plans(void) {
    // netman first in this boot: start, wait for STA_START.
    esp32_open_plan_t p = esp32_rules_open(false, false);
    CHECK(p.start_driver && p.wait_sta_start);
    p = esp32_rules_open(false, true); // a mode set, driver never started
    CHECK(p.start_driver && p.wait_sta_start);
    // network.WLAN(STA_IF).active(True) before: leave it running, no second STA_START.
    p = esp32_rules_open(true, true);
    CHECK(!p.start_driver && !p.wait_sta_start);
    // Only network's AP was on: the station joins the running driver and starts.
    p = esp32_rules_open(true, false);
    CHECK(!p.start_driver && p.wait_sta_start);
}

static void close_plans(void) {
    // netman alone this boot (or network's active(False) while it ran): stop.
    esp32_close_plan_t c = esp32_rules_close(false, false, ESP32_MODE_NULL);
    CHECK(c.stop_driver);
    c = esp32_rules_close(false, true, ESP32_MODE_STA);
    CHECK(c.stop_driver);
    // boot.py's sta.active(True), then netman: running again in network's mode.
    c = esp32_rules_close(true, true, ESP32_MODE_STA | ESP32_MODE_AP);
    CHECK(!c.stop_driver && c.mode == (ESP32_MODE_STA | ESP32_MODE_AP));
    c = esp32_rules_close(true, true, ESP32_MODE_AP);
    CHECK(!c.stop_driver && c.mode == ESP32_MODE_AP);
    // netman started it, then the application called sta.active(True): network
    // believes it runs, so it keeps running (else its next active(True) waits
    // for a STA_START forever), the station only.
    c = esp32_rules_close(true, false, ESP32_MODE_NULL);
    CHECK(!c.stop_driver && c.mode == ESP32_MODE_STA);
}

static void mdns_in_dispatch(void) {
    CHECK(esp32_rules_mdns_now(false, true));  // MicroPython thread: stop at once
    CHECK(esp32_rules_mdns_now(false, false));
    CHECK(esp32_rules_mdns_now(true, false));  // first start on got_ip: at once
    CHECK(!esp32_rules_mdns_now(true, true));  // stop on disconnected: handed over
}

int main(void) {
    reasons_while_joining();
    reasons_of_a_session();
    every_code_ends_a_connection();
    join_connect_leave();
    join_fails_then_session_lost();
    join_replaces_a_session();
    open_over_a_session_of_network();
    open_after_network_was_idle();
    managed_open_over_network_then_disconnect();
    a_left_association_stays_visible();
    channel_moves();
    open_plans();
    close_plans();
    mdns_in_dispatch();
    CHECK_DONE();
}
