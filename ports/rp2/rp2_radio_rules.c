/*
 * See rp2_radio_rules.h; run by the host tests (tests/test_port_rules.py).
 */
#include "rp2_radio_rules.h"

#define PORT "rp2 (CYW43439)"

// The codes of cyw43-driver's cyw43_country.h (commit 055d642), two each.
static const char known_countries[] =
    "XXAUATBEBRCACLCNCOCZDKEEFIFRDEGRHKHUISINILITJPKELVLILTLUMYMTMXNLNZNGNOPEPHPLPTSGSKSIZAKRESSECHTWTHTRGBUS";

bool rp2_rules_country_known(const char *code) {
    for (size_t i = 0; known_countries[i] != '\0'; i += 2) {
        if (known_countries[i] == code[0] && known_countries[i + 1] == code[1]) {
            return true;
        }
    }
    return false;
}

netman_err_t rp2_rules_check(const netman_radio_t *radio, const char **why) {
    if ((radio->fields & NETMAN_RADIO_PROTOCOL) && radio->protocol != RP2_RULES_PROTOCOL) {
        *why = "radio: 'protocol' on " PORT " is 802.11b/g/n: the cyw43 driver has no call to change it";
    } else if ((radio->fields & NETMAN_RADIO_BANDWIDTH) && radio->bandwidth_mhz != RP2_RULES_BANDWIDTH_MHZ) {
        *why = "radio: 'bandwidth' on " PORT " is 20 MHz: the chip has no 40 MHz channels";
    } else if ((radio->fields & NETMAN_RADIO_COUNTRY) && !rp2_rules_country_known(radio->country)) {
        *why = "radio: this 'country' is not one the " PORT " firmware knows (cyw43_country.h)";
    } else {
        return NETMAN_OK;
    }
    return NETMAN_ERR_UNSUPPORTED;
}

uint8_t rp2_rules_power_save_from_driver(uint32_t pm) {
    // The mode is the low nibble (cyw43.h, cyw43_pm_value): 0 none, 1 PM1
    // (aggressive: MicroPython's PM_POWERSAVE), 2 PM2 (its PM_PERFORMANCE,
    // the driver's default).
    switch (pm & 0xf) {
        case 0:
            return NETMAN_POWER_SAVE_NONE;
        case 1:
            return NETMAN_POWER_SAVE_MAX;
        default:
            return NETMAN_POWER_SAVE_MIN;
    }
}

int16_t rp2_rules_qdbm_from_driver(uint32_t qtxpower) {
    // The power is the low byte, in quarter dBm, at most 127; bit 31 is the
    // firmware's override flag (Linux brcmfmac, brcmf_cfg80211_get_tx_power).
    uint32_t qdbm = qtxpower & 0xff;
    return (int16_t)(qdbm > 127 ? 127 : qdbm);
}
