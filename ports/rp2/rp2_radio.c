/*
 * Radio settings on the CYW43439, as MicroPython's extmod/network_cyw43.c
 * (v1.28.0) sets them: the transmit power through the "qtxpower" firmware
 * variable (quarter dBm), power management with cyw43_wifi_pm() and the
 * values behind its PM_NONE / PM_PERFORMANCE / PM_POWERSAVE. The country is
 * the "country" variable, set the way cyw43_ll_wifi_on() does at bring-up
 * (cyw43_ll.c), and kept in mod_network_country_code for later bring-ups.
 * The chip runs 802.11b/g/n at 20 MHz; the driver has no call to change
 * either (rp2_radio_rules.c refuses other values).
 */
#include <string.h>

#include "py/mphal.h"
#include "extmod/modnetwork.h"
#include "lib/cyw43-driver/src/cyw43.h"
#include "lib/cyw43-driver/src/cyw43_country.h"

#include "rp2_port.h"
#include "rp2_radio_rules.h"

static void put_le32(uint8_t *buf, uint32_t value) {
    for (int i = 0; i < 4; i++) {
        buf[i] = (uint8_t)(value >> (8 * i));
    }
}

static bool get_qtxpower(uint32_t *value) {
    uint8_t buf[13];
    memcpy(buf, "qtxpower\x00\x00\x00\x00\x00", 13);
    if (cyw43_ioctl(&cyw43_state, CYW43_IOCTL_GET_VAR, sizeof(buf), buf, CYW43_ITF_STA) != 0) {
        return false;
    }
    *value = buf[0] | buf[1] << 8 | buf[2] << 16 | (uint32_t)buf[3] << 24;
    return true;
}

static bool set_qtxpower(int16_t qdbm) {
    uint8_t buf[9 + 4];
    memcpy(buf, "qtxpower\x00", 9);
    put_le32(buf + 9, (uint32_t)qdbm);
    return cyw43_ioctl(&cyw43_state, CYW43_IOCTL_SET_VAR, sizeof(buf), buf, CYW43_ITF_STA) == 0;
}

static uint32_t pm_value(uint8_t power_save) {
    switch (power_save) {
        case NETMAN_POWER_SAVE_NONE:
            return CYW43_NONE_PM;
        case NETMAN_POWER_SAVE_MAX:
            return CYW43_AGGRESSIVE_PM;
        default:
            return CYW43_PERFORMANCE_PM;
    }
}

static bool set_country(const char *code) {
    // "country\0", then the code, the revision (-1: the firmware's default)
    // and the code again, as cyw43_ll_wifi_on() writes it.
    uint32_t country = CYW43_COUNTRY(code[0], code[1], 0);
    uint8_t buf[20];
    memcpy(buf, "country\x00", 8);
    put_le32(buf + 8, country & 0xffff);
    put_le32(buf + 12, (uint32_t)-1);
    put_le32(buf + 16, country & 0xffff);
    if (cyw43_ioctl(&cyw43_state, CYW43_IOCTL_SET_VAR, sizeof(buf), buf, CYW43_ITF_STA) != 0) {
        return false;
    }
    mp_hal_delay_ms(50); // as cyw43_ll_wifi_on() waits after it
    mod_network_country_code[0] = code[0];
    mod_network_country_code[1] = code[1];
    return true;
}

netman_err_t netman_hal_radio_set(const netman_radio_t *radio) {
    const char *why;
    netman_err_t err = rp2_rules_check(radio, &why);
    if (err != NETMAN_OK) {
        return rp2_fail(err, why);
    }
    uint32_t qtxpower = 0, pm = CYW43_DEFAULT_PM;
    char country[2] = { mod_network_country_code[0], mod_network_country_code[1] };
    if (!get_qtxpower(&qtxpower) || cyw43_wifi_get_pm(&cyw43_state, &pm) != 0) {
        return rp2_fail(NETMAN_ERR_IO, "radio: the WiFi chip did not answer");
    }
    const char *failed = NULL;
    if ((radio->fields & NETMAN_RADIO_TXPOWER) && !set_qtxpower(radio->txpower_qdbm)) {
        failed = "radio: the WiFi chip refused 'txpower'";
    } else if ((radio->fields & NETMAN_RADIO_POWER_SAVE) && cyw43_wifi_pm(&cyw43_state, pm_value(radio->power_save)) != 0) {
        failed = "radio: the WiFi chip refused 'power_save'";
    } else if ((radio->fields & NETMAN_RADIO_COUNTRY) && !set_country(radio->country)) {
        failed = "radio: the WiFi chip refused 'country'";
    }
    if (failed == NULL) {
        return NETMAN_OK;
    }
    // Nothing half-applied: what went through is put back.
    set_qtxpower(rp2_rules_qdbm_from_driver(qtxpower));
    cyw43_wifi_pm(&cyw43_state, pm);
    set_country(country);
    return rp2_fail(NETMAN_ERR_IO, failed);
}

netman_err_t netman_hal_radio_get(netman_radio_t *radio) {
    uint32_t qtxpower, pm;
    if (!get_qtxpower(&qtxpower) || cyw43_wifi_get_pm(&cyw43_state, &pm) != 0) {
        return rp2_fail(NETMAN_ERR_IO, "radio: the WiFi chip did not answer");
    }
    radio->txpower_qdbm = rp2_rules_qdbm_from_driver(qtxpower);
    radio->power_save = rp2_rules_power_save_from_driver(pm);
    radio->protocol = RP2_RULES_PROTOCOL;
    radio->bandwidth_mhz = RP2_RULES_BANDWIDTH_MHZ;
    return NETMAN_OK;
}
