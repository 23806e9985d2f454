/*
 * The rp2 port's decisions about radio settings: plain functions over plain
 * data (no cyw43 header), so that the host tests run them.
 */
#ifndef NETMAN_RP2_RADIO_RULES_H
#define NETMAN_RP2_RADIO_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netman_hal.h"

// What the CYW43439 runs and the cyw43 driver cannot change.
#define RP2_RULES_PROTOCOL (NETMAN_PROTOCOL_11B | NETMAN_PROTOCOL_11G | NETMAN_PROTOCOL_11N)
#define RP2_RULES_BANDWIDTH_MHZ (20)

// NETMAN_OK, or NETMAN_ERR_UNSUPPORTED with *why (a constant text naming
// the key and the port) for a request the chip or its driver cannot honour.
netman_err_t rp2_rules_check(const netman_radio_t *radio, const char **why);
// Whether the chip's firmware knows the country (cyw43_country.h).
bool rp2_rules_country_known(const char *code);
// netman_power_save_t of a cyw43_wifi_get_pm() value (0x00adbrrm).
uint8_t rp2_rules_power_save_from_driver(uint32_t pm);
// Quarter dBm of what the "qtxpower" firmware variable answers.
int16_t rp2_rules_qdbm_from_driver(uint32_t qtxpower);

#endif // NETMAN_RP2_RADIO_RULES_H
