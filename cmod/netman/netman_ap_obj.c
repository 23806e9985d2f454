/*
 * _netman's access-point bindings: start our AP (its PSK goes straight to the
 * driver) and report where it is and who joined it.
 */
#include <string.h>

#include "py/runtime.h"

#include "netman_obj.h"

// ap_start(ssid, psk, channel, hidden, max_connections): start our AP, or
// change the running one. psk b"" for an open network, None to keep the
// current PSK. The facade has validated every value.
static mp_obj_t mod_netman_ap_start(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    netman_require_open();
    netman_ap_params_t params;
    memset(&params, 0, sizeof(params));
    params.ssid_len = netman_copy_text(params.ssid, args[0], NETMAN_SSID_MAX, "ssid");
    params.psk_len = args[1] == mp_const_none ? NETMAN_AP_KEEP_PSK
        : netman_copy_text(params.psk, args[1], NETMAN_PSK_MAX, "psk");
    params.channel = mp_obj_get_int(args[2]);
    params.hidden = mp_obj_is_true(args[3]);
    params.max_connections = mp_obj_get_int(args[4]);
    netman_err_t err = netman_ap_start(&params);
    memset(&params, 0, sizeof(params));
    netman_check_request(err);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mod_netman_ap_start_obj, 5, 5, mod_netman_ap_start);

// ap_stop(): our AP goes down, the station stays.
static mp_obj_t mod_netman_ap_stop(void) {
    netman_require_open();
    netman_check_request(netman_ap_stop());
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_ap_stop_obj, mod_netman_ap_stop);

// ap_mac() -> the MAC of our AP's interface (6 bytes).
static mp_obj_t mod_netman_ap_mac(void) {
    netman_require_open();
    uint8_t mac[NETMAN_MAC_LEN];
    netman_check_request(netman_hal_ap_mac(mac));
    return mp_obj_new_bytes(mac, NETMAN_MAC_LEN);
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_ap_mac_obj, mod_netman_ap_mac);

static const qstr ap_status_qstrs[] = {
    [NETMAN_AP_INACTIVE] = MP_QSTR_inactive,
    [NETMAN_AP_STARTING] = MP_QSTR_starting,
    [NETMAN_AP_STARTED] = MP_QSTR_started,
    [NETMAN_AP_FAILED] = MP_QSTR_failed,
};

// ap_info() -> {status, reason, channel, address, netmask, stations: [{mac, rssi, ip}]}
static mp_obj_t mod_netman_ap_info(void) {
    netman_ap_info_t info;
    netman_ap_get_info(&info);
    mp_obj_t dict = mp_obj_new_dict(6);
    netman_store(dict, MP_QSTR_status, MP_OBJ_NEW_QSTR(ap_status_qstrs[info.status]));
    netman_store(dict, MP_QSTR_reason, info.status == NETMAN_AP_FAILED
        ? MP_OBJ_NEW_QSTR(netman_reason_qstr(info.fail_reason)) : mp_const_none);
    netman_store(dict, MP_QSTR_channel, MP_OBJ_NEW_SMALL_INT(info.channel));
    bool up = info.status == NETMAN_AP_STARTED;
    netman_store(dict, MP_QSTR_address, up ? netman_ip_str(info.address) : mp_const_none);
    netman_store(dict, MP_QSTR_netmask, up ? netman_ip_str(info.netmask) : mp_const_none);
    mp_obj_t stations = mp_obj_new_list(0, NULL);
    for (size_t i = 0; i < info.station_count; i++) {
        const netman_ap_station_t *s = &info.stations[i];
        mp_obj_t station = mp_obj_new_dict(3);
        netman_store(station, MP_QSTR_mac, mp_obj_new_bytes(s->mac, NETMAN_MAC_LEN));
        netman_store(station, MP_QSTR_rssi, MP_OBJ_NEW_SMALL_INT(s->rssi));
        netman_store(station, MP_QSTR_ip, s->has_ip ? netman_ip_str(s->address) : mp_const_none);
        mp_obj_list_append(stations, station);
    }
    netman_store(dict, MP_QSTR_stations, stations);
    return dict;
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_ap_info_obj, mod_netman_ap_info);
