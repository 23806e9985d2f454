/*
 * What a port may report: the checks every value crossing the HAL boundary
 * passes before the core acts on it. Plain C (no MicroPython), so the host
 * tests can run it over hostile input.
 */
#ifndef NETMAN_EVENT_CHECK_H
#define NETMAN_EVENT_CHECK_H

#include "netman_hal.h"

// Channels a 2.4 GHz radio can be on.
#define NETMAN_CHANNEL_MAX (14)

// A reason that ends a connection (NETMAN_EV_STA_DISCONNECTED).
bool netman_reason_ends_connection(uint8_t reason);
// An event a port could really post: a known kind with values in range.
bool netman_event_valid(const netman_event_t *event);
// A scanned AP with a real channel, auth mode and SSID length.
bool netman_scan_result_valid(const netman_scan_result_t *result);

#endif // NETMAN_EVENT_CHECK_H
