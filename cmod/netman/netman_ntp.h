/*
 * The SNTP wire format (RFC 4330), for ports whose SNTP client is our own
 * (host, rp2): one request packet, and the checks an answer must pass.
 * Pure C: no MicroPython, no vendor header.
 */
#ifndef NETMAN_NTP_H
#define NETMAN_NTP_H

#include "netman_hal.h"

#define NETMAN_NTP_PACKET_LEN (48)

// An NTP timestamp (seconds since 1900 in the high word, fraction in the low
// one) from Unix time.
uint64_t netman_ntp_from_unix(uint64_t sec, uint32_t nsec);
// Microseconds since the Unix epoch of an NTP timestamp (eras 0 and 1).
int64_t netman_ntp_to_unix_us(uint64_t stamp);
// A client request whose transmit timestamp is `transmit` (remember it: a
// valid answer echoes it).
void netman_ntp_request(uint8_t packet[NETMAN_NTP_PACKET_LEN], uint64_t transmit);
// Check an answer to the request sent at `sent`, received at `received`, and
// fill `sync` (a NETMAN_EV_SNTP_SYNC event). Returns NETMAN_REASON_NONE, or
// NETMAN_REASON_BAD_REPLY.
netman_reason_t netman_ntp_reply(const uint8_t *reply, size_t len, uint64_t sent, uint64_t received,
    netman_event_t *sync);

#endif // NETMAN_NTP_H
