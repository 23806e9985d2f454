/*
 * What a port may hand the core (netman_event_check.c): values out of range
 * are refused, real ones pass.
 */
// sources: cmod/netman/netman_event_check.c
// include: cmod/netman
#include <string.h>

#include "check.h"
#include "netman_event_check.h"

static netman_event_t event(uint8_t kind) {
    netman_event_t e;
    memset(&e, 0, sizeof(e));
    e.kind = kind;
    return e;
}

int main(void) {
    netman_event_t e = event(NETMAN_EV_SCAN_DONE);
    for (int status = 0; status < 256; status++) {
        e.u.scan_status = (uint8_t)status;
        CHECK(netman_event_valid(&e) == (status <= NETMAN_SCAN_CANCELED));
    }

    e = event(NETMAN_EV_STA_DISCONNECTED);
    for (int reason = 0; reason < 256; reason++) {
        e.u.reason = (uint8_t)reason;
        bool ends = (reason >= NETMAN_REASON_AUTH_FAILED && reason <= NETMAN_REASON_NO_RADIO)
                    || reason == NETMAN_REASON_JOIN_REFUSED;
        CHECK(netman_event_valid(&e) == ends);
        CHECK(netman_reason_ends_connection((uint8_t)reason) == ends);
    }

    e = event(NETMAN_EV_SNTP_FAILED);
    e.u.reason = NETMAN_REASON_TIMEOUT;
    CHECK(netman_event_valid(&e));
    e.u.reason = NETMAN_REASON_START_FAILED;
    CHECK(netman_event_valid(&e));
    e.u.reason = NETMAN_REASON_NONE;
    CHECK(!netman_event_valid(&e));
    e.u.reason = NETMAN_REASON_AUTH_FAILED;   // not an SNTP failure
    CHECK(!netman_event_valid(&e));
    e.u.reason = NETMAN_REASON_COUNT;
    CHECK(!netman_event_valid(&e));

    e = event(NETMAN_EV_STA_CONNECTED);
    e.u.assoc.channel = 6;
    e.u.assoc.authmode = NETMAN_AUTH_WPA2_PSK;
    CHECK(netman_event_valid(&e));
    e.u.assoc.channel = 0;
    CHECK(!netman_event_valid(&e));
    e.u.assoc.channel = 15;
    CHECK(!netman_event_valid(&e));
    e.u.assoc.channel = 14;
    e.u.assoc.authmode = NETMAN_AUTH_COUNT;
    CHECK(!netman_event_valid(&e));

    e = event(NETMAN_EV_STA_GOT_IP);
    CHECK(!netman_event_valid(&e));            // 0.0.0.0
    e.u.ip.address = 0xffffffffu;
    CHECK(!netman_event_valid(&e));
    e.u.ip.address = 0x7f4d000au;               // 127.77.0.10
    CHECK(netman_event_valid(&e));

    e = event(NETMAN_EV_SNTP_SYNC);
    e.u.sntp.tv_usec = 999999;
    CHECK(netman_event_valid(&e));
    e.u.sntp.tv_usec = 1000000;
    CHECK(!netman_event_valid(&e));

    e = event(NETMAN_EV_MDNS_NAME);
    CHECK(netman_event_valid(&e));
    e.u.mdns_suffix = 1;
    CHECK(!netman_event_valid(&e));

    e = event(NETMAN_EV_RADIO_CHANNEL);
    CHECK(!netman_event_valid(&e));
    e.u.channel = 13;
    CHECK(netman_event_valid(&e));
    CHECK(!netman_event_valid(&(netman_event_t){ .kind = NETMAN_EV_TICK }));
    CHECK(!netman_event_valid(&(netman_event_t){ .kind = 0 }));
    CHECK(!netman_event_valid(&(netman_event_t){ .kind = 200 }));

    netman_scan_result_t r;
    memset(&r, 0, sizeof(r));
    r.channel = 1;
    r.ssid_len = 32;
    CHECK(netman_scan_result_valid(&r));
    r.ssid_len = 33;
    CHECK(!netman_scan_result_valid(&r));
    r.ssid_len = 3;
    r.channel = 0;
    CHECK(!netman_scan_result_valid(&r));
    r.channel = 11;
    r.authmode = 0xff;
    CHECK(!netman_scan_result_valid(&r));
    CHECK_DONE();
}
