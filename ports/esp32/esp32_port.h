/*
 * What the ESP32 port's files share.
 *
 * Driver contexts of this port: the esp_event task (WiFi and IP events), the
 * WiFi task (ESP-NOW callbacks), the esp_timer task (timers) and the lwIP
 * tcpip task (the SNTP sync callback). They never allocate and never touch a
 * MicroPython object, and they reach the core only between
 * esp32_driver_enter() and esp32_driver_leave().
 */
#ifndef NETMAN_ESP32_PORT_H
#define NETMAN_ESP32_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"
#include "esp_netif_ip_addr.h"
#include "esp_wifi_types.h"

#include "netman_hal.h"

// ---- netman_hal_esp32.c ----

// Record why a request failed, for netman_hal_last_error(); returns err.
netman_err_t esp32_fail(netman_err_t err, const char *what, esp_err_t cause);
void esp32_set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

// Whether netman_hal_open() succeeded and netman_hal_close() has not begun.
bool esp32_is_open(void);
// A driver context may call into the core only while this returns true, and
// must call esp32_driver_leave() when done: netman_hal_close() waits for
// every such entry to leave, so nothing is posted after it returns.
bool esp32_driver_enter(void);
void esp32_driver_leave(void);
// netman_core_post() between enter and leave (any context).
void esp32_post(const netman_event_t *event);
// Whether the caller runs inside the default event loop's dispatch (our
// WiFi/IP event handler and what the core does from it).
bool esp32_in_dispatch(void);

// a.b.c.d in netman_ip_t form (a << 24 | b << 16 | c << 8 | d).
uint32_t esp32_ip4(const esp_ip4_addr_t *addr);
// The netman_auth_t of a driver authmode.
uint8_t esp32_authmode(wifi_auth_mode_t mode);
// Clear memory that held a secret; unlike memset() it is not optimised away.
void esp32_wipe(void *data, size_t len);

// ---- esp32_scan.c ----

// WIFI_EVENT_SCAN_DONE (esp_event task, inside the gate).
void esp32_scan_done(const wifi_event_sta_scan_done_t *done);
void esp32_scan_reset(void);

// ---- esp32_espnow.c ----

// Stop ESP-NOW if it runs (the radio closes).
void esp32_espnow_close(void);

// ---- esp32_radio.c ----

// Our AP's interface came on: give it the station's protocols and bandwidth.
void esp32_radio_follow_station(void);

// ---- esp32_eap.c ----

// Give the driver the station's WPA2-Enterprise credentials (NULL: none,
// and forget any it holds).
netman_err_t esp32_eap_apply(const netman_eap_t *eap);

// ---- esp32_sntp.c ----

netman_err_t esp32_sntp_open(void);
void esp32_sntp_close(void);

// ---- esp32_mdns.c ----

netman_err_t esp32_mdns_open(void);
void esp32_mdns_close(void);

#endif // NETMAN_ESP32_PORT_H
