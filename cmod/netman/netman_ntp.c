/*
 * The SNTP wire format (RFC 4330): see netman_ntp.h.
 *
 * Times are compared as signed microseconds since the Unix epoch (int64:
 * ±292,000 years), never as raw NTP stamps: a board's first sync after boot
 * may be decades off, and 2^-32 s units overflow in any product or sum.
 */
#include <string.h>

#include "netman_ntp.h"

#define NTP_UNIX_EPOCH (2208988800u)    // seconds from 1900 to 1970
// Transmit times before this (2024-01-01) are not a server's real time.
#define NTP_EARLIEST_UNIX (1704067200)

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

int64_t netman_ntp_to_unix_us(uint64_t stamp) {
    // RFC 4330 section 3: with the top bit clear the stamp is in era 1
    // (from 2036-02-07), with it set in era 0 (1968-2036).
    int64_t sec = (int64_t)(stamp >> 32) - NTP_UNIX_EPOCH;
    if ((stamp >> 63) == 0) {
        sec += (int64_t)1 << 32;
    }
    int64_t usec = (int64_t)(((stamp & 0xffffffffu) * 1000000u) >> 32);
    return sec * 1000000 + usec;
}

void netman_ntp_request(uint8_t packet[NETMAN_NTP_PACKET_LEN], uint64_t transmit) {
    memset(packet, 0, NETMAN_NTP_PACKET_LEN);
    packet[0] = 0x23; // LI 0, version 4, mode 3 (client)
    put_u64(packet + 40, transmit);
}

// A stamp that a synchronized server could send: not 0, not all ones, and
// not before NTP_EARLIEST_UNIX in either era.
static bool valid_server_time(uint64_t stamp) {
    return stamp != 0 && stamp != UINT64_MAX
           && netman_ntp_to_unix_us(stamp) >= (int64_t)NTP_EARLIEST_UNIX * 1000000;
}

netman_reason_t netman_ntp_reply(const uint8_t *reply, size_t len, uint64_t sent, uint64_t received,
    netman_event_t *sync) {
    if (len < NETMAN_NTP_PACKET_LEN) {
        return NETMAN_REASON_BAD_REPLY;
    }
    uint8_t leap = reply[0] >> 6, version = (reply[0] >> 3) & 7, mode = reply[0] & 7, stratum = reply[1];
    uint64_t t1 = get_u64(reply + 24), t2 = get_u64(reply + 32), t3 = get_u64(reply + 40);
    // A server answer (mode 4), synchronized (leap != 3, stratum 1..15), to
    // our request (it echoes our transmit time), with real receive and
    // transmit times in order: anything else is spoofed, stale, broken or a
    // kiss-o'-death.
    if (mode != 4 || version < 1 || version > 4 || leap == 3 || stratum == 0 || stratum > 15
        || t1 != sent || !valid_server_time(t2) || !valid_server_time(t3)) {
        return NETMAN_REASON_BAD_REPLY;
    }
    int64_t server_rx = netman_ntp_to_unix_us(t2), server_tx = netman_ntp_to_unix_us(t3);
    int64_t our_tx = netman_ntp_to_unix_us(sent), our_rx = netman_ntp_to_unix_us(received);
    if (server_tx < server_rx) {
        return NETMAN_REASON_BAD_REPLY;
    }
    // Clock offset: ((t2 - t1) + (t3 - t4)) / 2; each term is at most a few
    // hundred years in microseconds, far inside int64.
    int64_t offset_us = ((server_rx - our_tx) + (server_tx - our_rx)) / 2;
    int64_t now_us = our_rx + offset_us;
    if (now_us < 0 || now_us / 1000000 > (int64_t)UINT32_MAX) {
        return NETMAN_REASON_BAD_REPLY;
    }
    memset(sync, 0, sizeof(*sync));
    sync->kind = NETMAN_EV_SNTP_SYNC;
    sync->u.sntp.tv_sec = (uint32_t)(now_us / 1000000);
    sync->u.sntp.tv_usec = (uint32_t)(now_us % 1000000);
    sync->u.sntp.offset_ms = offset_us / 1000;
    return NETMAN_REASON_NONE;
}
