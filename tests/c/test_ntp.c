/*
 * SNTP answers (netman_ntp.c): offsets of any size are exact, eras are
 * read as RFC 4330 says, answers that are not a real time are refused.
 */
// sources: cmod/netman/netman_ntp.c
// include: cmod/netman
#include <string.h>

#include "check.h"
#include "netman_ntp.h"

static void put(uint8_t *p, uint64_t v) {
    for (int i = 7; i >= 0; i--, v >>= 8) {
        p[i] = v & 0xff;
    }
}

// A server answer to the request sent at `sent`, with its own receive and
// transmit times.
static void answer(uint8_t reply[NETMAN_NTP_PACKET_LEN], uint64_t sent, uint64_t rx, uint64_t tx) {
    memset(reply, 0, NETMAN_NTP_PACKET_LEN);
    reply[0] = 0x24; // version 4, mode 4
    reply[1] = 2;
    put(reply + 24, sent);
    put(reply + 32, rx);
    put(reply + 40, tx);
}

#define DAY (86400ull)

int main(void) {
    const uint64_t now = 1790000000; // 2026-09
    uint8_t reply[NETMAN_NTP_PACKET_LEN];
    netman_event_t sync;

    // Offsets from a millisecond to decades, either way.
    const int64_t offsets_s[] = { 0, 1, -1, 25 * DAY, -25 * DAY, 30 * DAY, 40 * 365 * DAY, -2 * 365 * DAY };
    for (size_t i = 0; i < sizeof(offsets_s) / sizeof(offsets_s[0]); i++) {
        uint64_t ours = netman_ntp_from_unix(now, 0);
        uint64_t theirs = netman_ntp_from_unix(now + offsets_s[i], 500000000);
        answer(reply, ours, theirs, theirs);
        CHECK(netman_ntp_reply(reply, sizeof(reply), ours, ours, &sync) == NETMAN_REASON_NONE);
        CHECK(sync.kind == NETMAN_EV_SNTP_SYNC);
        CHECK(sync.u.sntp.tv_sec == now + offsets_s[i]);
        CHECK(sync.u.sntp.tv_usec == 500000 || sync.u.sntp.tv_usec == 499999);
        int64_t want_ms = offsets_s[i] * 1000 + 500;
        CHECK(sync.u.sntp.offset_ms >= want_ms - 1 && sync.u.sntp.offset_ms <= want_ms);
    }

    // A board whose clock says 1970 meets a server in era 1 (2040).
    uint64_t epoch = netman_ntp_from_unix(0, 0);
    uint64_t in_2040 = netman_ntp_from_unix(2208988800ull, 0); // wraps: top bit clear
    CHECK((in_2040 >> 63) == 0);
    CHECK(netman_ntp_to_unix_us(in_2040) == 2208988800ll * 1000000);
    answer(reply, epoch, in_2040, in_2040);
    CHECK(netman_ntp_reply(reply, sizeof(reply), epoch, epoch, &sync) == NETMAN_REASON_NONE);
    CHECK(sync.u.sntp.tv_sec == 2208988800u);
    CHECK(sync.u.sntp.offset_ms == 2208988800ll * 1000);

    // Round trip: the offset is the middle of the two legs.
    uint64_t t1 = netman_ntp_from_unix(now, 0), t4 = netman_ntp_from_unix(now, 100000000);
    uint64_t t2 = netman_ntp_from_unix(now + 10, 40000000), t3 = netman_ntp_from_unix(now + 10, 60000000);
    answer(reply, t1, t2, t3);
    CHECK(netman_ntp_reply(reply, sizeof(reply), t1, t4, &sync) == NETMAN_REASON_NONE);
    CHECK(sync.u.sntp.offset_ms >= 9999 && sync.u.sntp.offset_ms <= 10000);

    // Not a real time: refused.
    uint64_t good = netman_ntp_from_unix(now, 0);
    const uint64_t bad_tx[] = { 0, UINT64_MAX, netman_ntp_from_unix(1000000000, 0) };
    for (size_t i = 0; i < 3; i++) {
        answer(reply, good, good, bad_tx[i]);
        CHECK(netman_ntp_reply(reply, sizeof(reply), good, good, &sync) == NETMAN_REASON_BAD_REPLY);
        answer(reply, good, bad_tx[i], good);
        CHECK(netman_ntp_reply(reply, sizeof(reply), good, good, &sync) == NETMAN_REASON_BAD_REPLY);
    }
    answer(reply, good, good + ((uint64_t)5 << 32), good); // sent before it was received
    CHECK(netman_ntp_reply(reply, sizeof(reply), good, good, &sync) == NETMAN_REASON_BAD_REPLY);
    answer(reply, good + 1, good, good);                   // not our request
    CHECK(netman_ntp_reply(reply, sizeof(reply), good, good, &sync) == NETMAN_REASON_BAD_REPLY);
    answer(reply, good, good, good);
    CHECK(netman_ntp_reply(reply, NETMAN_NTP_PACKET_LEN - 1, good, good, &sync) == NETMAN_REASON_BAD_REPLY);
    reply[1] = 0;                                          // kiss-o'-death
    CHECK(netman_ntp_reply(reply, sizeof(reply), good, good, &sync) == NETMAN_REASON_BAD_REPLY);
    CHECK_DONE();
}
