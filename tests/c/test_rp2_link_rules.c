/*
 * The rp2 port's decisions (ports/rp2/rp2_link_rules.c) over what the
 * cyw43 driver (055d642) and the CYW43439 really produce: the join state the
 * driver keeps, the netif link it raises, and the chip's events.
 */
// sources: ports/rp2/rp2_link_rules.c
// include: cmod/netman ports/rp2
#include <string.h>

#include "check.h"
#include "rp2_link_rules.h"

static rp2_sta_track_t track;
static uint32_t now;

// One tick, 100 ms after the last, with the given sample.
static rp2_sta_out_t tick(uint8_t join, bool link, bool address, uint32_t events) {
    now += 100;
    rp2_sta_sample_t s = { .join = join, .link_up = link, .has_address = address, .events = events };
    return rp2_sta_step(&track, &s, now);
}

static rp2_sta_out_t tick_events(uint8_t join, bool link, const rp2_events_t *seen) {
    now += 100;
    rp2_sta_sample_t s = { .join = join, .link_up = link, .events = seen->bits, .key_timeouts = seen->key_timeouts };
    return rp2_sta_step(&track, &s, now);
}

static bool is(rp2_sta_out_t o, uint8_t kind, uint8_t reason) {
    return o.kind == kind && (kind != RP2_OUT_DISCONNECTED || o.reason == reason);
}

static rp2_events_t events_of(const rp2_chip_event_t *evs, size_t n) {
    rp2_events_t seen = {0};
    for (size_t i = 0; i < n; i++) {
        rp2_events_add(&seen, &evs[i]);
    }
    return seen;
}

static void join_then_address(void) {
    rp2_sta_joining(&track, true, now);
    CHECK(is(tick(RP2_JOIN_ACTIVE, false, false, RP2_EV_AUTH_OK), RP2_OUT_NONE, 0));
    // AUTH, LINK and keyed: the driver raises the link (WIFI_JOIN_STATE_ALL).
    CHECK(is(tick(RP2_JOIN_ACTIVE, true, false, RP2_EV_LINK_UP | RP2_EV_KEYED), RP2_OUT_CONNECTED, 0));
    CHECK(is(tick(RP2_JOIN_ACTIVE, true, false, 0), RP2_OUT_NONE, 0));
    CHECK(is(tick(RP2_JOIN_ACTIVE, true, true, 0), RP2_OUT_GOT_IP, 0));
    CHECK(is(tick(RP2_JOIN_ACTIVE, true, true, 0), RP2_OUT_NONE, 0));
    CHECK(track.phase == RP2_STA_UP);
}

static void a_good_auth_after_a_bad_one(void) {
    // cyw43_ctrl.c: "A good-auth follows a bad-auth": BADAUTH, then ACTIVE again.
    rp2_sta_joining(&track, true, now);
    CHECK(is(tick(RP2_JOIN_BADAUTH, false, false, 0), RP2_OUT_NONE, 0));
    CHECK(is(tick(RP2_JOIN_BADAUTH, false, false, 0), RP2_OUT_NONE, 0));
    CHECK(is(tick(RP2_JOIN_ACTIVE, false, false, RP2_EV_AUTH_OK), RP2_OUT_NONE, 0));
    CHECK(is(tick(RP2_JOIN_ACTIVE, true, false, RP2_EV_KEYED), RP2_OUT_CONNECTED, 0));
    // And a bad auth that stays bad is final after the grace, not before.
    rp2_sta_joining(&track, true, now);
    uint32_t first = now + 100;
    rp2_sta_out_t o;
    do {
        o = tick(RP2_JOIN_BADAUTH, false, false, 0);
    } while (o.kind == RP2_OUT_NONE && now - first < 10000);
    CHECK(is(o, RP2_OUT_DISCONNECTED, NETMAN_REASON_AUTH_FAILED) && o.leave);
    CHECK(now - first >= RP2_BADAUTH_GRACE_MS && now - first < RP2_BADAUTH_GRACE_MS + 200);
}

static void wrong_keys_as_the_driver_sees_them(void) {
    // PSK_SUP failure (driver: BADAUTH at once): final at once.
    rp2_chip_event_t psk_fail[] = { { .type = RP2_CHIP_EV_AUTH, .status = 0 }, { .type = RP2_CHIP_EV_PSK_SUP, .status = 5 } };
    rp2_events_t seen = events_of(psk_fail, 2);
    rp2_sta_joining(&track, true, now);
    rp2_sta_out_t o = tick_events(RP2_JOIN_BADAUTH, false, &seen);
    CHECK(is(o, RP2_OUT_DISCONNECTED, NETMAN_REASON_AUTH_FAILED) && o.leave);

    // DEAUTH_IND reason 2 in a join: the driver disassociates, the DISASSOC
    // event clears its join state (ACTIVE -> DOWN).
    rp2_chip_event_t deauth2[] = {
        { .type = RP2_CHIP_EV_AUTH, .status = 0 },
        { .type = RP2_CHIP_EV_LINK, .flags = 1 },
        { .type = RP2_CHIP_EV_DEAUTH_IND, .reason = 2 },
        { .type = RP2_CHIP_EV_LINK, .flags = 0, .reason = 2 },
    };
    rp2_sta_joining(&track, true, now);
    seen = events_of(deauth2, 2);
    CHECK(is(tick_events(RP2_JOIN_ACTIVE, false, &seen), RP2_OUT_NONE, 0));
    seen = events_of(deauth2 + 2, 2);
    CHECK(is(tick_events(RP2_JOIN_ACTIVE, false, &seen), RP2_OUT_DISCONNECTED, NETMAN_REASON_AUTH_FAILED));
    // ... and when the events came in the tick before, the join state alone tells.
    rp2_sta_joining(&track, true, now);
    seen = events_of(deauth2, 2);
    CHECK(is(tick_events(RP2_JOIN_ACTIVE, false, &seen), RP2_OUT_NONE, 0));
    CHECK(is(tick(RP2_JOIN_DOWN, false, false, 0), RP2_OUT_DISCONNECTED, NETMAN_REASON_AUTH_FAILED));

    // A key exchange that times out again and again: the driver rejoins each
    // time and its join state never leaves ACTIVE.
    rp2_chip_event_t timeout[] = { { .type = RP2_CHIP_EV_AUTH, .status = 0 }, { .type = RP2_CHIP_EV_LINK, .flags = 1 },
                                   { .type = RP2_CHIP_EV_PSK_SUP, .status = 8, .reason = 15 } };
    rp2_sta_joining(&track, true, now);
    for (int attempt = 1; attempt < RP2_KEY_TIMEOUTS_MAX; attempt++) {
        seen = events_of(timeout, 3);
        CHECK(seen.key_timeouts == 1 && !(seen.bits & RP2_EV_KEY_FAILED));
        CHECK(is(tick_events(RP2_JOIN_ACTIVE, false, &seen), RP2_OUT_NONE, 0));
        CHECK(is(tick(RP2_JOIN_ACTIVE, false, false, 0), RP2_OUT_NONE, 0));
    }
    seen = events_of(timeout, 3);
    rp2_sta_out_t last = tick_events(RP2_JOIN_ACTIVE, false, &seen);
    CHECK(is(last, RP2_OUT_DISCONNECTED, NETMAN_REASON_AUTH_FAILED) && last.leave);

    // An AP with no room (802.11 reason 5) is not a wrong key.
    rp2_chip_event_t full[] = { { .type = RP2_CHIP_EV_AUTH, .status = 0 }, { .type = RP2_CHIP_EV_DEAUTH_IND, .reason = 5 } };
    rp2_sta_joining(&track, true, now);
    seen = events_of(full, 2);
    CHECK(is(tick_events(RP2_JOIN_ACTIVE, false, &seen), RP2_OUT_DISCONNECTED, NETMAN_REASON_ASSOC_FAILED));

    // Our AP's key exchanges with its stations say nothing of the station's.
    rp2_chip_event_t ap_side[] = { { .type = RP2_CHIP_EV_PSK_SUP, .status = 5, .itf = 1 },
                                   { .type = RP2_CHIP_EV_PSK_SUP, .status = 8, .reason = 15, .itf = 1 } };
    seen = events_of(ap_side, 2);
    CHECK(seen.bits == 0 && seen.key_timeouts == 0);
}

static void no_network_and_the_join_bound(void) {
    // SET_SSID status 3: NONET.
    rp2_sta_joining(&track, true, now);
    CHECK(is(tick(RP2_JOIN_ACTIVE, false, false, 0), RP2_OUT_NONE, 0));
    CHECK(is(tick(RP2_JOIN_NONET, false, false, 0), RP2_OUT_DISCONNECTED, NETMAN_REASON_NO_AP_FOUND));
    // SET_SSID other failure: FAIL. With no AP having answered (the chip
    // ends an unknown SSID's join so too), nobody was found; after an AP
    // authenticated us, it refused the association.
    rp2_sta_joining(&track, false, now);
    CHECK(is(tick(RP2_JOIN_FAIL, false, false, 0), RP2_OUT_DISCONNECTED, NETMAN_REASON_NO_AP_FOUND));
    rp2_sta_joining(&track, false, now);
    CHECK(is(tick(RP2_JOIN_ACTIVE, false, false, RP2_EV_AUTH_OK), RP2_OUT_NONE, 0));
    CHECK(is(tick(RP2_JOIN_FAIL, false, false, 0), RP2_OUT_DISCONNECTED, NETMAN_REASON_ASSOC_FAILED));
    // Nothing at all for 20 s: nobody answered.
    rp2_sta_joining(&track, true, now);
    uint32_t start = now;
    rp2_sta_out_t o;
    do {
        o = tick(RP2_JOIN_ACTIVE, false, false, 0);
    } while (o.kind == RP2_OUT_NONE);
    CHECK(is(o, RP2_OUT_DISCONNECTED, NETMAN_REASON_NO_AP_FOUND) && o.leave);
    CHECK(now - start >= RP2_JOIN_TIMEOUT_MS && now - start <= RP2_JOIN_TIMEOUT_MS + 100);
    // An AP that answered but never keyed us: the key, not the AP, failed.
    rp2_sta_joining(&track, true, now);
    tick(RP2_JOIN_ACTIVE, false, false, RP2_EV_AUTH_OK);
    do {
        o = tick(RP2_JOIN_ACTIVE, false, false, 0);
    } while (o.kind == RP2_OUT_NONE);
    CHECK(is(o, RP2_OUT_DISCONNECTED, NETMAN_REASON_AUTH_FAILED));
}

static void connected(void) {
    rp2_sta_joining(&track, true, now);
    tick(RP2_JOIN_ACTIVE, true, false, RP2_EV_KEYED);
    tick(RP2_JOIN_ACTIVE, true, true, 0);
    CHECK(track.phase == RP2_STA_UP);
}

static void the_ap_sends_us_away(void) {
    // DEAUTH_IND (reason 3) then LINK down reason 2: the driver's join state
    // stays ACTIVE; only the event tells it from lost beacons.
    rp2_chip_event_t deauth[] = { { .type = RP2_CHIP_EV_DEAUTH_IND, .reason = 3 },
                                  { .type = RP2_CHIP_EV_LINK, .flags = 0, .reason = 2 } };
    connected();
    rp2_events_t seen = events_of(deauth, 2);
    rp2_sta_out_t o = tick_events(RP2_JOIN_ACTIVE, false, &seen);
    CHECK(is(o, RP2_OUT_DISCONNECTED, NETMAN_REASON_AP_LEFT) && o.leave);
    // DISASSOC_IND (reason 8), the link still up for a while.
    rp2_chip_event_t disassoc[] = { { .type = RP2_CHIP_EV_DISASSOC_IND, .reason = 8 } };
    connected();
    seen = events_of(disassoc, 1);
    CHECK(is(tick_events(RP2_JOIN_ACTIVE, true, &seen), RP2_OUT_DISCONNECTED, NETMAN_REASON_AP_LEFT));
    // Only the link down with reason 2 (disassociated) reached us.
    connected();
    seen = events_of(deauth + 1, 1);
    CHECK(is(tick_events(RP2_JOIN_ACTIVE, false, &seen), RP2_OUT_DISCONNECTED, NETMAN_REASON_AP_LEFT));
    // DEAUTH_IND reason 2: the driver left by itself (join state DOWN).
    connected();
    CHECK(is(tick(RP2_JOIN_DOWN, false, true, 0), RP2_OUT_DISCONNECTED, NETMAN_REASON_AP_LEFT));
    // The same events on our AP's interface are a station leaving, not us.
    rp2_chip_event_t station_left = { .type = RP2_CHIP_EV_DISASSOC_IND, .reason = 8, .itf = 1 };
    seen = events_of(&station_left, 1);
    CHECK(seen.bits == RP2_EV_AP_STATION);
}

static void beacons_lost(void) {
    rp2_chip_event_t loss = { .type = RP2_CHIP_EV_LINK, .flags = 0, .reason = 1 };
    connected();
    rp2_events_t seen = events_of(&loss, 1);
    CHECK(seen.bits == RP2_EV_LINK_LOST_BEACONS);
    CHECK(is(tick_events(RP2_JOIN_ACTIVE, false, &seen), RP2_OUT_BEACON_TIMEOUT, 0));
    // Back within the grace: no disconnect (the core keeps "degraded").
    CHECK(is(tick(RP2_JOIN_ACTIVE, false, true, 0), RP2_OUT_NONE, 0));
    CHECK(is(tick(RP2_JOIN_ACTIVE, true, true, RP2_EV_LINK_UP), RP2_OUT_NONE, 0));
    CHECK(track.phase == RP2_STA_UP && !track.beacons_lost);
    // Gone for good: disconnected after the grace, and we stop the chip's search.
    seen = events_of(&loss, 1);
    CHECK(is(tick_events(RP2_JOIN_ACTIVE, false, &seen), RP2_OUT_BEACON_TIMEOUT, 0));
    uint32_t lost = now;
    rp2_sta_out_t o;
    do {
        o = tick(RP2_JOIN_ACTIVE, false, true, 0);
    } while (o.kind == RP2_OUT_NONE);
    CHECK(is(o, RP2_OUT_DISCONNECTED, NETMAN_REASON_BEACON_TIMEOUT) && o.leave);
    CHECK(now - lost >= RP2_BEACON_GRACE_MS);
    // The chip gave up first (join state cleared after lost beacons).
    connected();
    seen = events_of(&loss, 1);
    tick_events(RP2_JOIN_ACTIVE, false, &seen);
    CHECK(is(tick(RP2_JOIN_DOWN, false, true, 0), RP2_OUT_DISCONNECTED, NETMAN_REASON_BEACON_TIMEOUT));
}

static void leaving(void) {
    connected();
    rp2_sta_leaving(&track, now);
    CHECK(is(tick(RP2_JOIN_DOWN, false, true, RP2_EV_LINK_LOST_AP), RP2_OUT_DISCONNECTED, NETMAN_REASON_BY_REQUEST));
    CHECK(is(tick(RP2_JOIN_DOWN, false, false, 0), RP2_OUT_NONE, 0));
    CHECK(track.phase == RP2_STA_IDLE);
}

static void scans(void) {
    uint8_t status = 0xff;
    CHECK(!rp2_scan_ended(true, 0, &status));
    CHECK(rp2_scan_ended(false, 0, &status) && status == NETMAN_SCAN_OK);
    // A final status other than 0: the driver's scan state stays set.
    rp2_chip_event_t partial = { .type = RP2_CHIP_EV_ESCAN_RESULT, .status = 8 };
    rp2_chip_event_t aborted = { .type = RP2_CHIP_EV_ESCAN_RESULT, .status = 4 };
    rp2_chip_event_t complete = { .type = RP2_CHIP_EV_ESCAN_RESULT, .status = 0 };
    CHECK(events_of(&partial, 1).bits == 0 && events_of(&complete, 1).bits == 0);
    CHECK(rp2_scan_ended(true, events_of(&aborted, 1).bits, &status) && status == NETMAN_SCAN_FAILED);
}

static void routes(void) {
    CHECK(rp2_default_route(true, true) == RP2_ROUTE_STA);
    CHECK(rp2_default_route(true, false) == RP2_ROUTE_STA);
    CHECK(rp2_default_route(false, true) == RP2_ROUTE_AP);
    CHECK(rp2_default_route(false, false) == RP2_ROUTE_STA);
}

static void stations(void) {
    rp2_stations_t known = {0};
    uint8_t mac[NETMAN_MAC_LEN];
    const uint8_t chip[3][NETMAN_MAC_LEN] = { { 2, 0, 0, 0, 0, 1 }, { 2, 0, 0, 0, 0, 2 }, { 2, 0, 0, 0, 0, 3 } };
    CHECK(rp2_stations_next_change(&known, chip[0], 2, mac) == NETMAN_EV_AP_STA_CONNECTED && mac[5] == 1);
    CHECK(rp2_stations_next_change(&known, chip[0], 2, mac) == NETMAN_EV_AP_STA_CONNECTED && mac[5] == 2);
    CHECK(rp2_stations_next_change(&known, chip[0], 2, mac) == 0);
    known.stations[1].addressed = true;
    // The first left, a third joined: the leave comes first; state is kept.
    CHECK(rp2_stations_next_change(&known, chip[1], 2, mac) == NETMAN_EV_AP_STA_DISCONNECTED && mac[5] == 1);
    CHECK(rp2_stations_next_change(&known, chip[1], 2, mac) == NETMAN_EV_AP_STA_CONNECTED && mac[5] == 3);
    CHECK(rp2_stations_next_change(&known, chip[1], 2, mac) == 0);
    CHECK(known.count == 2 && rp2_mac_index(known.stations[0].mac, sizeof(rp2_station_t), 2, chip[1]) >= 0);
    CHECK(known.stations[rp2_mac_index(known.stations[0].mac, sizeof(rp2_station_t), 2, chip[1])].addressed);
    // More stations than we keep: the extra ones are not invented or lost.
    uint8_t many[NETMAN_AP_MAX_STATIONS + 2][NETMAN_MAC_LEN];
    for (int i = 0; i < NETMAN_AP_MAX_STATIONS + 2; i++) {
        memset(many[i], 0, NETMAN_MAC_LEN);
        many[i][0] = 2;
        many[i][5] = (uint8_t)(10 + i);
    }
    rp2_stations_t full = {0};
    int joined = 0;
    while (rp2_stations_next_change(&full, many[0], NETMAN_AP_MAX_STATIONS + 2, mac) == NETMAN_EV_AP_STA_CONNECTED) {
        joined++;
    }
    CHECK(joined == NETMAN_AP_MAX_STATIONS && full.count == NETMAN_AP_MAX_STATIONS);
    CHECK(rp2_stations_next_change(&full, NULL, 0, mac) == NETMAN_EV_AP_STA_DISCONNECTED);
}

int main(void) {
    join_then_address();
    a_good_auth_after_a_bad_one();
    wrong_keys_as_the_driver_sees_them();
    no_network_and_the_join_bound();
    the_ap_sends_us_away();
    beacons_lost();
    leaving();
    scans();
    routes();
    stations();
    CHECK_DONE();
}
