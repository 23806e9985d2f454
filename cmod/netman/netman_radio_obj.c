/*
 * _netman's radio bindings: set and read the radio settings, and the
 * country table the facade validates with.
 */
#include <string.h>

#include "py/runtime.h"

#include "netman_country.h"
#include "netman_obj.h"

static const qstr power_save_qstrs[] = {
    [NETMAN_POWER_SAVE_NONE] = MP_QSTR_none,
    [NETMAN_POWER_SAVE_MIN] = MP_QSTR_min,
    [NETMAN_POWER_SAVE_MAX] = MP_QSTR_max,
};

static const struct {
    uint8_t bit;
    qstr name;
} protocol_names[] = {
    { NETMAN_PROTOCOL_11B, MP_QSTR_b },
    { NETMAN_PROTOCOL_11G, MP_QSTR_g },
    { NETMAN_PROTOCOL_11N, MP_QSTR_n },
    { NETMAN_PROTOCOL_LR, MP_QSTR_lr },
};

// radio_set(txpower_qdbm, country, power_save, protocol, bandwidth_mhz):
// None leaves a setting as it is. The facade has validated every value:
// power_save is a netman_power_save_t, protocol NETMAN_PROTOCOL_* bits.
static mp_obj_t mod_netman_radio_set(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    netman_require_open();
    netman_radio_t radio;
    memset(&radio, 0, sizeof(radio));
    if (args[0] != mp_const_none) {
        radio.fields |= NETMAN_RADIO_TXPOWER;
        radio.txpower_qdbm = mp_obj_get_int(args[0]);
    }
    if (args[1] != mp_const_none) {
        radio.fields |= NETMAN_RADIO_COUNTRY;
        netman_copy_text((uint8_t *)radio.country, args[1], 2, "country");
        radio.channels = netman_country_channels(radio.country);
        if (radio.channels == 0) {
            mp_raise_ValueError(MP_ERROR_TEXT("country: not a known country code"));
        }
    }
    if (args[2] != mp_const_none) {
        radio.fields |= NETMAN_RADIO_POWER_SAVE;
        radio.power_save = mp_obj_get_int(args[2]);
    }
    if (args[3] != mp_const_none) {
        radio.fields |= NETMAN_RADIO_PROTOCOL;
        radio.protocol = mp_obj_get_int(args[3]);
    }
    if (args[4] != mp_const_none) {
        radio.fields |= NETMAN_RADIO_BANDWIDTH;
        radio.bandwidth_mhz = mp_obj_get_int(args[4]);
    }
    netman_check_request(netman_radio_set(&radio));
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mod_netman_radio_set_obj, 5, 5, mod_netman_radio_set);

// radio_get() -> {txpower (dBm), country (None until set), channels,
// power_save, protocol (tuple of names), bandwidth (MHz)}
static mp_obj_t mod_netman_radio_get(void) {
    netman_require_open();
    netman_radio_t radio;
    netman_check_request(netman_radio_get(&radio));
    mp_obj_t dict = mp_obj_new_dict(6);
    netman_store(dict, MP_QSTR_txpower, mp_obj_new_float((mp_float_t)radio.txpower_qdbm / 4));
    netman_store(dict, MP_QSTR_country, radio.country[0] ? mp_obj_new_str(radio.country, 2) : mp_const_none);
    netman_store(dict, MP_QSTR_channels, MP_OBJ_NEW_SMALL_INT(radio.channels));
    netman_store(dict, MP_QSTR_power_save, MP_OBJ_NEW_QSTR(
        radio.power_save < MP_ARRAY_SIZE(power_save_qstrs) ? power_save_qstrs[radio.power_save] : MP_QSTR_unknown));
    mp_obj_t names[MP_ARRAY_SIZE(protocol_names)];
    size_t n = 0;
    for (size_t i = 0; i < MP_ARRAY_SIZE(protocol_names); i++) {
        if (radio.protocol & protocol_names[i].bit) {
            names[n++] = MP_OBJ_NEW_QSTR(protocol_names[i].name);
        }
    }
    netman_store(dict, MP_QSTR_protocol, mp_obj_new_tuple(n, names));
    netman_store(dict, MP_QSTR_bandwidth, MP_OBJ_NEW_SMALL_INT(radio.bandwidth_mhz));
    return dict;
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_radio_get_obj, mod_netman_radio_get);

// country_channels(code) -> the highest channel the country allows, 0 if unknown.
static mp_obj_t mod_netman_country_channels(mp_obj_t code_in) {
    size_t len;
    const char *code = mp_obj_str_get_data(code_in, &len);
    char text[3] = {0};
    if (len == 2) {
        memcpy(text, code, 2);
    }
    return MP_OBJ_NEW_SMALL_INT(netman_country_channels(text));
}
MP_DEFINE_CONST_FUN_OBJ_1(mod_netman_country_channels_obj, mod_netman_country_channels);
