/*
 * _netman's SNTP bindings: what to synchronize with, and how it went.
 */
#include <string.h>

#include "py/mphal.h"
#include "py/runtime.h"

#include "netman_obj.h"

// sntp_config(host, port, interval_ms); host None turns SNTP off.
static mp_obj_t mod_netman_sntp_config(mp_obj_t host, mp_obj_t port, mp_obj_t interval_ms) {
    netman_sntp_config_t config;
    memset(&config, 0, sizeof(config));
    if (host != mp_const_none) {
        config.enabled = true;
        netman_copy_text((uint8_t *)config.host, host, NETMAN_SNTP_HOST_MAX, "sntp host");
        config.port = mp_obj_get_int(port);
        config.interval_ms = mp_obj_get_int(interval_ms);
    }
    netman_sntp_configure(&config);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_3(mod_netman_sntp_config_obj, mod_netman_sntp_config);

// sntp_status() -> {synced, syncs, failures, last_sync_ms (age), offset_ms, error, server}
static mp_obj_t mod_netman_sntp_status(void) {
    netman_sntp_config_t config;
    netman_sntp_info_t info;
    netman_sntp_get(&config, &info);
    mp_obj_t dict = mp_obj_new_dict(7);
    netman_store(dict, MP_QSTR_synced, mp_obj_new_bool(info.synced));
    netman_store(dict, MP_QSTR_syncs, mp_obj_new_int_from_uint(info.syncs));
    netman_store(dict, MP_QSTR_failures, mp_obj_new_int_from_uint(info.failures));
    netman_store(dict, MP_QSTR_last_sync_ms, info.synced
        ? mp_obj_new_int_from_uint((uint32_t)mp_hal_ticks_ms() - info.last_sync_ms) : mp_const_none);
    netman_store(dict, MP_QSTR_offset_ms, info.synced ? mp_obj_new_int_from_ll(info.offset_ms) : mp_const_none);
    netman_store(dict, MP_QSTR_error, info.last_error == NETMAN_REASON_NONE
        ? mp_const_none : MP_OBJ_NEW_QSTR(netman_reason_qstr(info.last_error)));
    mp_obj_t server = mp_const_none;
    if (config.enabled) {
        vstr_t text;
        vstr_init(&text, NETMAN_SNTP_HOST_MAX + 8);
        // No host: the NTP server DHCP names (on the boards).
        vstr_printf(&text, "%s:%u", config.host[0] != '\0' ? config.host : "dhcp", (unsigned)config.port);
        server = mp_obj_new_str_from_vstr(&text);
    }
    netman_store(dict, MP_QSTR_server, server);
    return dict;
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_sntp_status_obj, mod_netman_sntp_status);
