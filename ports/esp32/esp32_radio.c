/*
 * Radio settings through ESP-IDF 5.3-5.5 (esp_wifi.h): the maximum transmit
 * power (esp_wifi_set_max_tx_power, quarter dBm), the country
 * (esp_wifi_set_country with the manual policy, so the channels are the
 * country's and not those of the AP joined), modem sleep (esp_wifi_set_ps),
 * and per interface the protocols and bandwidth (esp_wifi_set_protocol,
 * esp_wifi_set_bandwidth): the station's always, our AP's while it runs.
 *
 * A request is applied setting by setting; when the driver refuses one, the
 * ones applied before it are put back, so a refused request changes nothing.
 */
#include <string.h>

#include "sdkconfig.h"
#include "esp_wifi.h"

#include "esp32_port.h"
#include "esp32_radio_rules.h"

_Static_assert(ESP32_RULES_PROTOCOL_11B == WIFI_PROTOCOL_11B && ESP32_RULES_PROTOCOL_11G == WIFI_PROTOCOL_11G
    && ESP32_RULES_PROTOCOL_11N == WIFI_PROTOCOL_11N && ESP32_RULES_PROTOCOL_LR == WIFI_PROTOCOL_LR,
    "esp32_radio_rules.h: protocol bits");
_Static_assert(NETMAN_PROTOCOL_11B == WIFI_PROTOCOL_11B && NETMAN_PROTOCOL_11G == WIFI_PROTOCOL_11G
    && NETMAN_PROTOCOL_11N == WIFI_PROTOCOL_11N && NETMAN_PROTOCOL_LR == WIFI_PROTOCOL_LR,
    "netman's protocol bits are ESP-IDF's");
_Static_assert(ESP32_RULES_PS_NONE == WIFI_PS_NONE && ESP32_RULES_PS_MIN_MODEM == WIFI_PS_MIN_MODEM
    && ESP32_RULES_PS_MAX_MODEM == WIFI_PS_MAX_MODEM, "esp32_radio_rules.h: power save types");
_Static_assert(ESP32_RULES_BW_HT20 == WIFI_BW_HT20 && ESP32_RULES_BW_HT40 == WIFI_BW_HT40,
    "esp32_radio_rules.h: bandwidths");
_Static_assert(ESP32_RULES_ERR_INVALID_ARG == ESP_ERR_INVALID_ARG && ESP32_RULES_ERR_NOT_SUPPORTED == ESP_ERR_NOT_SUPPORTED,
    "esp32_radio_rules.h: error codes");

// What the driver has in force, as its own types.
typedef struct {
    wifi_country_t country;
    int8_t txpower;
    wifi_ps_type_t ps;
    uint8_t protocol[2];            // by interface: station, AP
    wifi_bandwidth_t bandwidth[2];
} driver_radio_t;

static const wifi_interface_t interfaces[2] = { WIFI_IF_STA, WIFI_IF_AP };

// The interfaces on now: the station always (netman keeps it on), our AP while it runs.
static size_t interfaces_on(void) {
    wifi_mode_t mode = WIFI_MODE_STA;
    esp_wifi_get_mode(&mode);
    return (mode & WIFI_MODE_AP) ? 2 : 1;
}

static esp_err_t read_driver(driver_radio_t *radio, size_t count) {
    memset(radio, 0, sizeof(*radio));
    esp_err_t err = esp_wifi_get_country(&radio->country);
    if (err == ESP_OK) {
        err = esp_wifi_get_max_tx_power(&radio->txpower);
    }
    if (err == ESP_OK) {
        err = esp_wifi_get_ps(&radio->ps);
    }
    for (size_t i = 0; i < count && err == ESP_OK; i++) {
        err = esp_wifi_get_protocol(interfaces[i], &radio->protocol[i]);
        if (err == ESP_OK) {
            err = esp_wifi_get_bandwidth(interfaces[i], &radio->bandwidth[i]);
        }
    }
    return err;
}

// Apply the fields of `want`; on a refusal, *failed names the setting.
static esp_err_t write_driver(uint8_t fields, const driver_radio_t *want, size_t count, const char **failed) {
    esp_err_t err = ESP_OK;
    // The country first: it switches the PHY's init data, which bounds the power.
    if ((fields & NETMAN_RADIO_COUNTRY) && (err = esp_wifi_set_country(&want->country)) != ESP_OK) {
        *failed = "country";
        return err;
    }
    if ((fields & (NETMAN_RADIO_TXPOWER | NETMAN_RADIO_COUNTRY))
        && (err = esp_wifi_set_max_tx_power(want->txpower)) != ESP_OK) {
        *failed = "txpower";
        return err;
    }
    if ((fields & NETMAN_RADIO_POWER_SAVE) && (err = esp_wifi_set_ps(want->ps)) != ESP_OK) {
        *failed = "power_save";
        return err;
    }
    // The protocols before the bandwidth: HT40 needs 11n.
    for (size_t i = 0; i < count; i++) {
        if ((fields & NETMAN_RADIO_PROTOCOL) && (err = esp_wifi_set_protocol(interfaces[i], want->protocol[i])) != ESP_OK) {
            *failed = "protocol";
            return err;
        }
        if ((fields & NETMAN_RADIO_BANDWIDTH)
            && (err = esp_wifi_set_bandwidth(interfaces[i], want->bandwidth[i])) != ESP_OK) {
            *failed = "bandwidth";
            return err;
        }
    }
    return ESP_OK;
}

netman_err_t netman_hal_radio_set(const netman_radio_t *radio) {
    if (!esp32_is_open()) {
        esp32_set_error("the radio is not running");
        return NETMAN_ERR_STATE;
    }
    size_t count = interfaces_on();
    driver_radio_t before, want;
    esp_err_t err = read_driver(&before, count);
    if (err != ESP_OK) {
        return esp32_fail(NETMAN_ERR_IO, "radio: cannot read the settings", err);
    }
    want = before;
    if (radio->fields & NETMAN_RADIO_COUNTRY) {
        esp32_rules_country_code(radio->country, want.country.cc);
        want.country.schan = 1;
        want.country.nchan = radio->channels;
        want.country.policy = WIFI_COUNTRY_POLICY_MANUAL;
    }
    if (radio->fields & NETMAN_RADIO_TXPOWER) {
        want.txpower = (int8_t)radio->txpower_qdbm;
    }
    if (radio->fields & NETMAN_RADIO_POWER_SAVE) {
        want.ps = (wifi_ps_type_t)esp32_rules_ps_to_driver(radio->power_save);
    }
    for (size_t i = 0; i < count; i++) {
        if (radio->fields & NETMAN_RADIO_PROTOCOL) {
            want.protocol[i] = esp32_rules_protocol_to_driver(radio->protocol);
        }
        if (radio->fields & NETMAN_RADIO_BANDWIDTH) {
            want.bandwidth[i] = (wifi_bandwidth_t)esp32_rules_bw_to_driver(radio->bandwidth_mhz);
        }
    }
    const char *failed = "";
    err = write_driver(radio->fields, &want, count, &failed);
    if (err == ESP_OK) {
        return NETMAN_OK;
    }
    const char *ignored;
    write_driver(radio->fields, &before, count, &ignored);
    esp32_set_error("radio: '%s' refused by ESP-IDF on the %s: %s (0x%x)", failed, CONFIG_IDF_TARGET,
        esp_err_to_name(err), (unsigned int)err);
    return esp32_rules_refusal(err);
}

netman_err_t netman_hal_radio_get(netman_radio_t *radio) {
    if (!esp32_is_open()) {
        esp32_set_error("the radio is not running");
        return NETMAN_ERR_STATE;
    }
    driver_radio_t now;
    esp_err_t err = read_driver(&now, 1);
    if (err != ESP_OK) {
        return esp32_fail(NETMAN_ERR_IO, "radio: cannot read the settings", err);
    }
    radio->txpower_qdbm = now.txpower;
    radio->power_save = esp32_rules_ps_from_driver(now.ps);
    radio->protocol = esp32_rules_protocol_from_driver(now.protocol[0]);
    radio->bandwidth_mhz = esp32_rules_bw_from_driver(now.bandwidth[0]);
    return NETMAN_OK;
}

void esp32_radio_follow_station(void) {
    // Our AP's interface just came on: it takes what the station has.
    uint8_t protocol;
    wifi_bandwidth_t bandwidth;
    if (esp_wifi_get_protocol(WIFI_IF_STA, &protocol) == ESP_OK) {
        esp_wifi_set_protocol(WIFI_IF_AP, protocol);
    }
    if (esp_wifi_get_bandwidth(WIFI_IF_STA, &bandwidth) == ESP_OK) {
        esp_wifi_set_bandwidth(WIFI_IF_AP, bandwidth);
    }
}
