/*
 * _netman's station bindings: join parameters (the PSK stays here, never in
 * Python), connect/disconnect requests, status, RSSI and what was joined.
 */
#include <string.h>

#include "py/mphal.h"
#include "py/runtime.h"

#include "netman_obj.h"

// sta_config(ssid, psk, hostname, static_ip, bssid): store join parameters
// and enable STA. psk None keeps the stored one for the same SSID only: a PSK
// never goes to a network it was not given for. static_ip is None (DHCP) or
// (address, netmask, gateway, dns) as 32-bit numbers; bssid None (any AP of
// the SSID) or 6 bytes.
static mp_obj_t mod_netman_sta_config(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    netman_require_open();
    netman_sta_params_t params;
    netman_sta_get_params(&params);
    uint8_t ssid[NETMAN_SSID_MAX];
    size_t ssid_len = netman_copy_text(ssid, args[0], NETMAN_SSID_MAX, "ssid");
    bool same_network = ssid_len == params.ssid_len && memcmp(ssid, params.ssid, ssid_len) == 0;
    memcpy(params.ssid, ssid, ssid_len);
    params.ssid_len = ssid_len;
    if (args[1] != mp_const_none || !same_network) {
        memset(params.psk, 0, sizeof(params.psk));
        params.psk_len = args[1] == mp_const_none ? 0 : netman_copy_text(params.psk, args[1], NETMAN_PSK_MAX, "psk");
    }
    memset(params.hostname, 0, sizeof(params.hostname));
    netman_copy_text((uint8_t *)params.hostname, args[2], NETMAN_HOSTNAME_MAX, "dhcp_hostname");
    params.static_ip = args[3] != mp_const_none;
    memset(&params.ip, 0, sizeof(params.ip));
    if (params.static_ip) {
        mp_obj_t *ip;
        mp_obj_get_array_fixed_n(args[3], 4, &ip);
        params.ip.address = mp_obj_get_int_truncated(ip[0]);
        params.ip.netmask = mp_obj_get_int_truncated(ip[1]);
        params.ip.gateway = mp_obj_get_int_truncated(ip[2]);
        params.ip.dns = mp_obj_get_int_truncated(ip[3]);
    }
    params.bssid_set = args[4] != mp_const_none;
    memset(params.bssid, 0, sizeof(params.bssid));
    if (params.bssid_set) {
        mp_buffer_info_t bssid;
        mp_get_buffer_raise(args[4], &bssid, MP_BUFFER_READ);
        if (bssid.len != NETMAN_MAC_LEN) {
            mp_raise_ValueError(MP_ERROR_TEXT("bssid: must be 6 bytes"));
        }
        memcpy(params.bssid, bssid.buf, NETMAN_MAC_LEN);
    }
    netman_sta_set_params(&params);
    memset(&params, 0, sizeof(params));
    if (netman_sta_status() == NETMAN_STA_INACTIVE) {
        netman_sta_activate();
    }
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mod_netman_sta_config_obj, 5, 5, mod_netman_sta_config);

// sta_reconnect_policy(auto, initial_ms, max_ms): whether the driver
// reconnects by itself, and the backoff between attempts (0: at once).
static mp_obj_t mod_netman_sta_reconnect_policy(mp_obj_t automatic, mp_obj_t initial_ms, mp_obj_t max_ms) {
    netman_sta_set_auto_reconnect(mp_obj_is_true(automatic));
    netman_sta_set_backoff(mp_obj_get_int(initial_ms), mp_obj_get_int(max_ms), mp_hal_ticks_ms());
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_3(mod_netman_sta_reconnect_policy_obj, mod_netman_sta_reconnect_policy);

// sta_reconnect_limit(n): at most n automatic reconnects after each
// sta_connect() (-1: no limit).
static mp_obj_t mod_netman_sta_reconnect_limit(mp_obj_t limit) {
    netman_sta_set_reconnect_limit(mp_obj_get_int(limit));
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(mod_netman_sta_reconnect_limit_obj, mod_netman_sta_reconnect_limit);

static mp_obj_t mod_netman_sta_connect(void) {
    netman_require_open();
    if (!netman_sta_has_params()) {
        netman_raise(MP_QSTR_no_credentials, "no SSID configured for the station");
    }
    netman_err_t err = netman_sta_connect();
    netman_eap_joined();
    netman_check_request(err);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_sta_connect_obj, mod_netman_sta_connect);

static mp_obj_t mod_netman_sta_disconnect(void) {
    netman_require_open();
    netman_check_request(netman_sta_disconnect());
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_sta_disconnect_obj, mod_netman_sta_disconnect);

static mp_obj_t mod_netman_sta_status(void) {
    return MP_OBJ_NEW_QSTR(netman_status_qstrs[netman_sta_status()]);
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_sta_status_obj, mod_netman_sta_status);

static mp_obj_t mod_netman_sta_rssi(void) {
    netman_require_open();
    int8_t rssi;
    if (netman_hal_sta_rssi(&rssi) != NETMAN_OK) {
        netman_raise(MP_QSTR_not_connected, "the station is not associated with an AP");
    }
    return MP_OBJ_NEW_SMALL_INT(rssi);
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_sta_rssi_obj, mod_netman_sta_rssi);

// sta_info(): what the station joined and holds now.
static mp_obj_t mod_netman_sta_info(void) {
    netman_sta_info_t info;
    netman_sta_get_info(&info);
    mp_obj_t dict = mp_obj_new_dict(8);
    netman_store(dict, MP_QSTR_disconnect_reason,
        info.last_reason == NETMAN_REASON_NONE ? mp_const_none : MP_OBJ_NEW_QSTR(netman_reason_qstr(info.last_reason)));
    mp_obj_t ap = mp_const_none;
    if (info.associated) {
        int8_t rssi = info.assoc.rssi;
        netman_hal_sta_rssi(&rssi);
        ap = mp_obj_new_dict(6);
        netman_store(ap, MP_QSTR_ssid, netman_ssid_str(info.ssid, info.ssid_len));
        netman_store(ap, MP_QSTR_ssid_bytes, mp_obj_new_bytes(info.ssid, info.ssid_len));
        netman_store(ap, MP_QSTR_bssid, mp_obj_new_bytes(info.assoc.bssid, NETMAN_MAC_LEN));
        netman_store(ap, MP_QSTR_channel, MP_OBJ_NEW_SMALL_INT(info.assoc.channel));
        netman_store(ap, MP_QSTR_rssi, MP_OBJ_NEW_SMALL_INT(rssi));
        netman_store(ap, MP_QSTR_authmode, netman_authmode_obj(info.assoc.authmode));
        netman_store(dict, MP_QSTR_connected_ms, mp_obj_new_int_from_uint((uint32_t)mp_hal_ticks_ms() - info.connected_at_ms));
    } else {
        netman_store(dict, MP_QSTR_connected_ms, mp_const_none);
    }
    netman_store(dict, MP_QSTR_ap, ap);
    mp_obj_t ip = mp_const_none;
    if (info.have_ip) {
        mp_obj_t items[4] = {
            netman_ip_str(info.ip.address), netman_ip_str(info.ip.netmask),
            netman_ip_str(info.ip.gateway), netman_ip_str(info.ip.dns),
        };
        ip = mp_obj_new_tuple(4, items);
    }
    netman_store(dict, MP_QSTR_ip, ip);
    return dict;
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_sta_info_obj, mod_netman_sta_info);
