/*
 * The ESP32 port's decisions about radio settings and promiscuous frames:
 * plain functions over plain data (no ESP-IDF header), so that the host
 * tests run them. The ESP-IDF values they use are copied here and checked
 * against the real headers where the port includes them (esp32_radio.c).
 */
#ifndef NETMAN_ESP32_RADIO_RULES_H
#define NETMAN_ESP32_RADIO_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netman_hal.h"

// esp_wifi_types_generic.h: WIFI_PROTOCOL_11B/11G/11N/LR, WIFI_PS_*,
// WIFI_BW_HT20/HT40, WIFI_COUNTRY_POLICY_MANUAL; esp_err.h.
#define ESP32_RULES_PROTOCOL_11B (0x1)
#define ESP32_RULES_PROTOCOL_11G (0x2)
#define ESP32_RULES_PROTOCOL_11N (0x4)
#define ESP32_RULES_PROTOCOL_LR (0x8)
#define ESP32_RULES_PS_NONE (0)
#define ESP32_RULES_PS_MIN_MODEM (1)
#define ESP32_RULES_PS_MAX_MODEM (2)
#define ESP32_RULES_BW_HT20 (1)
#define ESP32_RULES_BW_HT40 (2)
#define ESP32_RULES_FILTER_MGMT (1 << 0)     // WIFI_PROMIS_FILTER_MASK_MGMT
#define ESP32_RULES_FILTER_CTRL (1 << 1)
#define ESP32_RULES_FILTER_DATA (1 << 2)
#define ESP32_RULES_CTRL_FILTER_WRAPPER (1u << 23)  // WIFI_PROMIS_CTRL_FILTER_MASK_WRAPPER
#define ESP32_RULES_CTRL_FILTER_ALL (0xFF800000u)   // WIFI_PROMIS_CTRL_FILTER_MASK_ALL
#define ESP32_RULES_ERR_INVALID_ARG (0x102)
#define ESP32_RULES_ERR_NOT_SUPPORTED (0x106)

// esp_wifi_set_protocol()'s bitmap for netman's protocol bits, and back.
// The driver's bits netman has no name for (11a/ac/ax on the C5/C6) are not
// reported.
uint8_t esp32_rules_protocol_to_driver(uint8_t protocol);
uint8_t esp32_rules_protocol_from_driver(uint8_t bitmap);
// wifi_ps_type_t for netman_power_save_t, and back.
int esp32_rules_ps_to_driver(uint8_t power_save);
uint8_t esp32_rules_ps_from_driver(int ps);
// wifi_bandwidth_t for a bandwidth in MHz, and back (0 for one netman has no name for).
int esp32_rules_bw_to_driver(uint8_t mhz);
uint8_t esp32_rules_bw_from_driver(int bw);
// wifi_country_t's code for netman's: "XX" (worldwide) is ESP-IDF's "01".
void esp32_rules_country_code(const char *code, char cc[3]);
// A refusal the driver gives for a setting it cannot honour (the chip or the
// build lacks it) is "unsupported"; anything else is an I/O failure.
netman_err_t esp32_rules_refusal(int32_t esp_err);

// esp_wifi_set_promiscuous_filter()'s mask for netman's frame types.
uint32_t esp32_rules_promiscuous_filter(uint8_t types);
// esp_wifi_set_promiscuous_ctrl_filter()'s mask for control subtypes (bit n:
// subtype n); the driver tells apart subtypes 7 (wrapper) to 15 (CF-End+Ack).
uint32_t esp32_rules_ctrl_filter(uint16_t subtypes);
// The frame's length without its FCS, from the rx_ctrl's sig_len.
size_t esp32_rules_frame_length(uint32_t sig_len);

// The length to hand the EAP client for a certificate or key: mbedTLS parses
// PEM only with its terminating NUL counted (the core's block has the NUL).
int esp32_rules_cert_len(const uint8_t *data, size_t len);

#endif // NETMAN_ESP32_RADIO_RULES_H
