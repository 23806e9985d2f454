/*
 * The SNTP wire format (RFC 4330): see netman_ntp.h.
 */
#include <string.h>

#include "netman_ntp.h"

#define NTP_UNIX_EPOCH (2208988800u)    // seconds from 1900 to 1970

static uint64_t get_u64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

static void put_u64(uint8_t *p, uint64_t v) {
    for (int i = 7; i >= 0; i--) {
        p[i] = v & 0xff;
        v >>= 8;
    }
}

uint64_t netman_ntp_from_unix(uint64_t sec, uint32_t nsec) {
    uint64_t fraction = ((uint64_t)nsec << 32) / 1000000000u;
    return (sec + NTP_UNIX_EPOCH) << 32 | fraction;
}

void netman_ntp_request(uint8_t packet[NETMAN_NTP_PACKET_LEN], uint64_t transmit) {
    memset(packet, 0, NETMAN_NTP_PACKET_LEN);
    packet[0] = 0x23; // LI 0, version 4, mode 3 (client)
    put_u64(packet + 40, transmit);
}

netman_reason_t netman_ntp_reply(const uint8_t *reply, size_t len, uint64_t sent, uint64_t received,
    netman_event_t *sync) {
    if (len < NETMAN_NTP_PACKET_LEN) {
        return NETMAN_REASON_BAD_REPLY;
    }
    uint8_t leap = reply[0] >> 6, version = (reply[0] >> 3) & 7, mode = reply[0] & 7, stratum = reply[1];
    uint64_t t1 = get_u64(reply + 24), t2 = get_u64(reply + 32), t3 = get_u64(reply + 40);
    // A server answer (mode 4), synchronized (leap != 3, stratum 1..15), to
    // our request (it echoes our transmit time): anything else is spoofed,
    // stale or a kiss-o'-death.
    if (mode != 4 || version < 1 || version > 4 || leap == 3 || stratum == 0 || stratum > 15
        || t1 != sent || t3 == 0) {
        return NETMAN_REASON_BAD_REPLY;
    }
    // Clock offset, in units of 2^-32 s: ((t2 - t1) + (t3 - t4)) / 2.
    int64_t offset = ((int64_t)(t2 - sent) + (int64_t)(t3 - received)) / 2;
    uint64_t now = received + (uint64_t)offset;
    memset(sync, 0, sizeof(*sync));
    sync->kind = NETMAN_EV_SNTP_SYNC;
    sync->u.sntp.tv_sec = (uint32_t)((now >> 32) - NTP_UNIX_EPOCH);
    sync->u.sntp.tv_usec = (uint32_t)(((now & 0xffffffffu) * 1000000u) >> 32);
    sync->u.sntp.offset_ms = (int32_t)((offset * 1000) / ((int64_t)1 << 32));
    return NETMAN_REASON_NONE;
}
