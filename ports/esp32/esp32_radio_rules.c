/*
 * See esp32_radio_rules.h. Every function is a plain mapping of values, run
 * by the host tests (tests/test_port_rules.py).
 */
#include <string.h>

#include "esp32_radio_rules.h"

// netman's protocol bits are ESP-IDF's (esp32_radio.c checks it).
#define KNOWN_PROTOCOLS (ESP32_RULES_PROTOCOL_11B | ESP32_RULES_PROTOCOL_11G | ESP32_RULES_PROTOCOL_11N \
    | ESP32_RULES_PROTOCOL_LR)

uint8_t esp32_rules_protocol_to_driver(uint8_t protocol) {
    return protocol & KNOWN_PROTOCOLS;
}

uint8_t esp32_rules_protocol_from_driver(uint8_t bitmap) {
    return bitmap & KNOWN_PROTOCOLS;
}

int esp32_rules_ps_to_driver(uint8_t power_save) {
    switch (power_save) {
        case NETMAN_POWER_SAVE_NONE:
            return ESP32_RULES_PS_NONE;
        case NETMAN_POWER_SAVE_MAX:
            return ESP32_RULES_PS_MAX_MODEM;
        default:
            return ESP32_RULES_PS_MIN_MODEM;
    }
}

uint8_t esp32_rules_ps_from_driver(int ps) {
    switch (ps) {
        case ESP32_RULES_PS_NONE:
            return NETMAN_POWER_SAVE_NONE;
        case ESP32_RULES_PS_MAX_MODEM:
            return NETMAN_POWER_SAVE_MAX;
        default:
            return NETMAN_POWER_SAVE_MIN;
    }
}

int esp32_rules_bw_to_driver(uint8_t mhz) {
    return mhz == 40 ? ESP32_RULES_BW_HT40 : ESP32_RULES_BW_HT20;
}

uint8_t esp32_rules_bw_from_driver(int bw) {
    switch (bw) {
        case ESP32_RULES_BW_HT20:
            return 20;
        case ESP32_RULES_BW_HT40:
            return 40;
        default:
            return 0;
    }
}

void esp32_rules_country_code(const char *code, char cc[3]) {
    bool worldwide = code[0] == 'X' && code[1] == 'X';
    cc[0] = worldwide ? '0' : code[0];
    cc[1] = worldwide ? '1' : code[1];
    // esp_wifi_set_country(): the third octet ' ' means "any environment".
    cc[2] = ' ';
}

netman_err_t esp32_rules_refusal(int32_t esp_err) {
    // esp_wifi.h: ESP_ERR_INVALID_ARG for a value the chip does not take
    // (e.g. HT40 without 11n), ESP_ERR_NOT_SUPPORTED for what it lacks.
    if (esp_err == ESP32_RULES_ERR_INVALID_ARG || esp_err == ESP32_RULES_ERR_NOT_SUPPORTED) {
        return NETMAN_ERR_UNSUPPORTED;
    }
    return NETMAN_ERR_IO;
}

uint32_t esp32_rules_promiscuous_filter(uint8_t types) {
    uint32_t mask = 0;
    mask |= (types & NETMAN_FRAME_MGMT) ? ESP32_RULES_FILTER_MGMT : 0;
    mask |= (types & NETMAN_FRAME_CTRL) ? ESP32_RULES_FILTER_CTRL : 0;
    mask |= (types & NETMAN_FRAME_DATA) ? ESP32_RULES_FILTER_DATA : 0;
    return mask;
}

uint32_t esp32_rules_ctrl_filter(uint16_t subtypes) {
    // WIFI_PROMIS_CTRL_FILTER_MASK_WRAPPER (subtype 7) is bit 23, ... CF-End+Ack (15) bit 31.
    return ((uint32_t)subtypes << 16) & ESP32_RULES_CTRL_FILTER_ALL;
}

size_t esp32_rules_frame_length(uint32_t sig_len) {
    // esp_wifi_types: sig_len is the "length of packet including Frame Check Sequence(FCS)".
    return sig_len > 4 ? sig_len - 4 : 0;
}

int esp32_rules_cert_len(const uint8_t *data, size_t len) {
    // mbedtls_x509_crt_parse() / mbedtls_pk_parse_key() take PEM when the
    // buffer ends in a NUL counted in its length, DER otherwise.
    static const char pem[] = "-----BEGIN";
    bool is_pem = len >= sizeof(pem) - 1 && memcmp(data, pem, sizeof(pem) - 1) == 0;
    return (int)(is_pem ? len + 1 : len);
}
