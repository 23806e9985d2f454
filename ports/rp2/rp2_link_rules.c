/*
 * See rp2_link_rules.h. Every rule names the cyw43-driver behaviour (commit
 * 055d642, the one MicroPython v1.28.0 pins) it rests on.
 */
#include <string.h>

#include "rp2_link_rules.h"

static void enter(rp2_sta_track_t *t, rp2_sta_phase_t phase, uint32_t now_ms) {
    t->phase = phase;
    t->since_ms = now_ms;
    t->beacons_lost = false;
}

void rp2_sta_joining(rp2_sta_track_t *t, bool secured, uint32_t now_ms) {
    memset(t, 0, sizeof(*t));
    t->secured = secured;
    enter(t, RP2_STA_JOINING, now_ms);
}

void rp2_sta_leaving(rp2_sta_track_t *t, uint32_t now_ms) {
    enter(t, RP2_STA_LEAVING, now_ms);
}

void rp2_sta_idle(rp2_sta_track_t *t) {
    memset(t, 0, sizeof(*t));
}

static rp2_sta_out_t out(uint8_t kind) {
    rp2_sta_out_t o = { .kind = kind };
    return o;
}

static rp2_sta_out_t disconnected(rp2_sta_track_t *t, netman_reason_t reason, bool leave) {
    rp2_sta_idle(t);
    rp2_sta_out_t o = { .kind = RP2_OUT_DISCONNECTED, .reason = reason, .leave = leave };
    return o;
}

// Why a join that got as far as an AP answering ended: with a PSK, the key
// was what failed; an open network refused us.
static netman_reason_t answered_reason(const rp2_sta_track_t *t) {
    return t->secured ? NETMAN_REASON_AUTH_FAILED : NETMAN_REASON_ASSOC_FAILED;
}

static rp2_sta_out_t step_joining(rp2_sta_track_t *t, const rp2_sta_sample_t *s, uint32_t now_ms) {
    if (s->events & (RP2_EV_AUTH_OK | RP2_EV_LINK_UP)) {
        t->ap_answered = true;
    }
    t->key_timeouts += s->key_timeouts;
    // The AP sent us away before the key was set: cyw43_ctrl.c's own reading
    // (cyw43_cb_process_async_event) of a DEAUTH_IND in a join is "probably
    // because password was wrong",
    // unless the AP said it has no room. A failed key exchange is the wrong
    // key too.
    if ((s->events & (RP2_EV_AP_SENT_US_AWAY | RP2_EV_KEY_FAILED)) && !(s->events & RP2_EV_KEYED)) {
        return disconnected(t, s->events & RP2_EV_AP_FULL ? NETMAN_REASON_ASSOC_FAILED : answered_reason(t), true);
    }
    // Each key exchange that timed out made the driver join again; a few in
    // a row are a key the AP does not take.
    if (t->key_timeouts >= RP2_KEY_TIMEOUTS_MAX) {
        return disconnected(t, NETMAN_REASON_AUTH_FAILED, true);
    }
    switch (s->join) {
        case RP2_JOIN_BADAUTH:
            if (!t->badauth) {
                t->badauth = true;
                t->badauth_ms = now_ms;
            } else if (now_ms - t->badauth_ms >= RP2_BADAUTH_GRACE_MS) {
                return disconnected(t, NETMAN_REASON_AUTH_FAILED, true);
            }
            return out(RP2_OUT_NONE);
        case RP2_JOIN_NONET:
            // SET_SSID status 3: nobody serves the SSID (cyw43_ctrl.c,
            // cyw43_cb_process_async_event).
            return disconnected(t, NETMAN_REASON_NO_AP_FOUND, false);
        case RP2_JOIN_FAIL:
            // SET_SSID with a status other than 0 and 3 (cyw43_ctrl.c,
            // cyw43_cb_process_async_event). With
            // no AP having answered, none was found: the firmware may end an
            // unknown SSID's join so (status 1) rather than with 3.
            return disconnected(t, t->ap_answered ? answered_reason(t) : NETMAN_REASON_NO_AP_FOUND, false);
        case RP2_JOIN_DOWN:
            // The driver dropped the join itself: after a DEAUTH_IND with
            // reason 2 it disassociates, and the DISASSOC event clears the
            // join state (cyw43_ctrl.c, cyw43_cb_process_async_event).
            return disconnected(t, t->ap_answered ? answered_reason(t) : NETMAN_REASON_NO_AP_FOUND, false);
        default:
            break;
    }
    t->badauth = false;
    if (s->link_up) {
        // The driver raises the netif link once AUTH, LINK and the key are
        // all in (WIFI_JOIN_STATE_ALL, cyw43_ctrl.c,
        // cyw43_cb_process_async_event).
        enter(t, RP2_STA_ASSOCIATED, now_ms);
        return out(RP2_OUT_CONNECTED);
    }
    if (now_ms - t->since_ms >= RP2_JOIN_TIMEOUT_MS) {
        return disconnected(t, t->ap_answered ? answered_reason(t) : NETMAN_REASON_NO_AP_FOUND, true);
    }
    return out(RP2_OUT_NONE);
}

static rp2_sta_out_t step_joined(rp2_sta_track_t *t, const rp2_sta_sample_t *s, uint32_t now_ms) {
    // The AP deauthenticated or disassociated us: the driver only drops the
    // link for it (its join state stays active unless the reason is 2), so
    // the chip's event is what tells it from lost beacons.
    if (s->events & (RP2_EV_AP_SENT_US_AWAY | RP2_EV_LINK_LOST_AP)) {
        return disconnected(t, NETMAN_REASON_AP_LEFT, true);
    }
    if (s->join != RP2_JOIN_ACTIVE) {
        // The association is gone: after lost beacons the chip gave up;
        // otherwise the driver itself left (DEAUTH_IND reason 2).
        return disconnected(t, t->beacons_lost ? NETMAN_REASON_BEACON_TIMEOUT : NETMAN_REASON_AP_LEFT, false);
    }
    if (!s->link_up) {
        // Lost beacons (LINK down, reason 1, or a link down that said no
        // more): the chip looks for the AP again; after a grace we give up.
        if (!t->beacons_lost) {
            t->beacons_lost = true;
            t->lost_ms = now_ms;
            return out(RP2_OUT_BEACON_TIMEOUT);
        }
        if (now_ms - t->lost_ms >= RP2_BEACON_GRACE_MS) {
            return disconnected(t, NETMAN_REASON_BEACON_TIMEOUT, true);
        }
        return out(RP2_OUT_NONE);
    }
    t->beacons_lost = false;
    if (t->phase == RP2_STA_ASSOCIATED && s->has_address) {
        t->phase = RP2_STA_UP;
        return out(RP2_OUT_GOT_IP);
    }
    return out(RP2_OUT_NONE);
}

rp2_sta_out_t rp2_sta_step(rp2_sta_track_t *t, const rp2_sta_sample_t *s, uint32_t now_ms) {
    switch (t->phase) {
        case RP2_STA_JOINING:
            return step_joining(t, s, now_ms);
        case RP2_STA_ASSOCIATED:
        case RP2_STA_UP:
            return step_joined(t, s, now_ms);
        case RP2_STA_LEAVING:
            // The chip took the leave with the request (an ioctl answers
            // when done): report it at the next tick.
            return disconnected(t, NETMAN_REASON_BY_REQUEST, false);
        default:
            return out(RP2_OUT_NONE);
    }
}

void rp2_events_add(rp2_events_t *seen, const rp2_chip_event_t *ev) {
    bool station = ev->itf == 0;
    switch (ev->type) {
        case RP2_CHIP_EV_AUTH:
            if (station && ev->status == 0) {
                seen->bits |= RP2_EV_AUTH_OK;
            }
            break;
        case RP2_CHIP_EV_DEAUTH_IND:
        case RP2_CHIP_EV_DISASSOC_IND:
            // On the station: the AP sent us away (802.11 reason 5: it is
            // full). On our AP: a station left.
            if (station) {
                seen->bits |= RP2_EV_AP_SENT_US_AWAY | (ev->reason == 5 ? RP2_EV_AP_FULL : 0);
            } else {
                seen->bits |= RP2_EV_AP_STATION;
            }
            break;
        case RP2_CHIP_EV_ASSOC_IND:
        case RP2_CHIP_EV_REASSOC_IND:
            if (!station) {
                seen->bits |= RP2_EV_AP_STATION;
            }
            break;
        case RP2_CHIP_EV_LINK:
            // The driver reads only bit 0 of the flags (up/down, cyw43_ctrl.c,
            // cyw43_cb_process_async_event);
            // the reason of a link down says why (1 beacon loss, 2 disassociated).
            if (station && ev->status == 0) {
                if (ev->flags & 1) {
                    seen->bits |= RP2_EV_LINK_UP;
                } else if (ev->reason == 1) {
                    seen->bits |= RP2_EV_LINK_LOST_BEACONS;
                } else if (ev->reason == 2) {
                    seen->bits |= RP2_EV_LINK_LOST_AP;
                }
            }
            break;
        case RP2_CHIP_EV_PSK_SUP:
            // As the driver classifies them (cyw43_ctrl.c,
            // cyw43_cb_process_async_event): 6 keyed; 4, 8 or
            // 10 with reason 15 a timeout it answers by joining again; any
            // other status a failure. Only the station has a supplicant.
            if (!station) {
                break;
            }
            if (ev->status == 6) {
                seen->bits |= RP2_EV_KEYED;
            } else if ((ev->status == 4 || ev->status == 8 || ev->status == 10) && ev->reason == 15) {
                seen->bits |= RP2_EV_KEY_TIMEOUT;
                seen->key_timeouts += seen->key_timeouts < UINT8_MAX;
            } else {
                seen->bits |= RP2_EV_KEY_FAILED;
            }
            break;
        case RP2_CHIP_EV_ESCAN_RESULT:
            // 8 partial results, 0 complete (the only end the driver takes);
            // every other status ends the scan too (4 aborted, 1 failed ...).
            if (ev->status != 0 && ev->status != 8) {
                seen->bits |= RP2_EV_SCAN_FAILED;
            }
            break;
        default:
            break;
    }
}

bool rp2_scan_ended(bool driver_scanning, uint32_t events, uint8_t *status) {
    if (events & RP2_EV_SCAN_FAILED) {
        *status = NETMAN_SCAN_FAILED;
        return true;
    }
    if (!driver_scanning) {
        *status = NETMAN_SCAN_OK;
        return true;
    }
    return false;
}

rp2_route_t rp2_default_route(bool sta_has_address, bool ap_up) {
    return sta_has_address || !ap_up ? RP2_ROUTE_STA : RP2_ROUTE_AP;
}

int rp2_mac_index(const uint8_t *macs, size_t stride, int count, const uint8_t mac[NETMAN_MAC_LEN]) {
    for (int i = 0; i < count; i++) {
        if (memcmp(macs + i * stride, mac, NETMAN_MAC_LEN) == 0) {
            return i;
        }
    }
    return -1;
}

uint8_t rp2_stations_next_change(rp2_stations_t *known, const uint8_t *macs, int count, uint8_t mac[NETMAN_MAC_LEN]) {
    // Left: in our list, not in the chip's.
    for (int i = 0; i < known->count; i++) {
        if (rp2_mac_index(macs, NETMAN_MAC_LEN, count, known->stations[i].mac) < 0) {
            memcpy(mac, known->stations[i].mac, NETMAN_MAC_LEN);
            known->stations[i] = known->stations[--known->count];
            return NETMAN_EV_AP_STA_DISCONNECTED;
        }
    }
    // Joined: in the chip's list, not in ours (as many as we can keep).
    for (int i = 0; i < count && known->count < NETMAN_AP_MAX_STATIONS; i++) {
        const uint8_t *station = macs + i * NETMAN_MAC_LEN;
        if (rp2_mac_index(known->stations[0].mac, sizeof(rp2_station_t), known->count, station) < 0) {
            rp2_station_t *added = &known->stations[known->count++];
            memcpy(added->mac, station, NETMAN_MAC_LEN);
            added->addressed = false;
            memcpy(mac, station, NETMAN_MAC_LEN);
            return NETMAN_EV_AP_STA_CONNECTED;
        }
    }
    return 0;
}
