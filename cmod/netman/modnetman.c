/*
 * _netman: the C user module under the netman facade. Not for applications:
 * the facade validates configuration and owns the callbacks; this module owns
 * the driver, the state machine and the event queue.
 */
#include <string.h>

#include "py/mperrno.h"
#include "py/runtime.h"

#include "netman_core.h"
#include "netman_obj.h"

MP_REGISTER_ROOT_POINTER(mp_obj_t netman_error_class);

static bool netman_open;

static const qstr reason_qstrs[] = {
    [NETMAN_REASON_NONE] = MP_QSTR_none,
    [NETMAN_REASON_AUTH_FAILED] = MP_QSTR_auth_failed,
    [NETMAN_REASON_NO_AP_FOUND] = MP_QSTR_no_ap_found,
    [NETMAN_REASON_BEACON_TIMEOUT] = MP_QSTR_beacon_timeout,
    [NETMAN_REASON_AP_LEFT] = MP_QSTR_ap_left,
    [NETMAN_REASON_BY_REQUEST] = MP_QSTR_by_request,
    [NETMAN_REASON_ASSOC_FAILED] = MP_QSTR_assoc_failed,
    [NETMAN_REASON_NO_RADIO] = MP_QSTR_no_radio,
};

qstr netman_reason_qstr(uint8_t reason) {
    if (reason < MP_ARRAY_SIZE(reason_qstrs)) {
        return reason_qstrs[reason];
    }
    return MP_QSTR_unknown;
}

static const qstr status_qstrs[] = {
    [NETMAN_STA_INACTIVE] = MP_QSTR_inactive,
    [NETMAN_STA_DISCONNECTED] = MP_QSTR_disconnected,
    [NETMAN_STA_CONNECTING] = MP_QSTR_connecting,
    [NETMAN_STA_ASSOCIATED] = MP_QSTR_associated,
    [NETMAN_STA_CONNECTED] = MP_QSTR_connected,
    [NETMAN_STA_DEGRADED] = MP_QSTR_degraded,
    [NETMAN_STA_DISCONNECTING] = MP_QSTR_disconnecting,
};

// Raise the facade's NetError(reason, message).
static MP_NORETURN void raise_net_error(qstr reason, const char *message) {
    mp_obj_t cls = MP_STATE_VM(netman_error_class);
    if (cls == MP_OBJ_NULL) {
        mp_raise_OSError(MP_EIO);
    }
    nlr_raise(mp_call_function_2(cls, MP_OBJ_NEW_QSTR(reason), mp_obj_new_str(message, strlen(message))));
}

static void check_request(netman_err_t err) {
    switch (err) {
        case NETMAN_OK:
            return;
        case NETMAN_ERR_NO_RADIO:
            raise_net_error(MP_QSTR_no_radio, netman_hal_last_error());
        case NETMAN_ERR_STATE:
            raise_net_error(MP_QSTR_not_started, "the radio is not running");
        case NETMAN_ERR_IO:
            break;
    }
    raise_net_error(MP_QSTR_io_error, netman_hal_last_error());
}

static void require_open(void) {
    if (!netman_open) {
        raise_net_error(MP_QSTR_not_started, "netman is not started");
    }
}

// init(dispatcher, error_class): where events and errors go.
static mp_obj_t mod_netman_init(mp_obj_t dispatcher, mp_obj_t error_class) {
    if (!mp_obj_is_callable(dispatcher) || !mp_obj_is_callable(error_class)) {
        mp_raise_TypeError(MP_ERROR_TEXT("init(dispatcher, error_class): both must be callable"));
    }
    netman_core_set_dispatcher(dispatcher);
    MP_STATE_VM(netman_error_class) = error_class;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(mod_netman_init_obj, mod_netman_init);

// open() -> factory MAC as 6 bytes; brings the driver up.
static mp_obj_t mod_netman_open(void) {
    if (netman_open) {
        raise_net_error(MP_QSTR_already_started, "netman is already started");
    }
    uint8_t mac[NETMAN_MAC_LEN];
    memset(&netman_counters, 0, sizeof(netman_counters));
    check_request(netman_hal_open(mac));
    netman_open = true;
    return mp_obj_new_bytes(mac, NETMAN_MAC_LEN);
}
static MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_open_obj, mod_netman_open);

static mp_obj_t mod_netman_close(void) {
    if (netman_open) {
        netman_hal_close();
        netman_open = false;
    }
    netman_sta_reset();
    netman_core_reset();
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_close_obj, mod_netman_close);

static size_t copy_checked(uint8_t *dest, mp_obj_t value, size_t max, const char *what) {
    size_t len;
    const char *data = mp_obj_str_get_data(value, &len);
    if (len > max) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("%s: at most %d bytes"), what, (int)max);
    }
    memcpy(dest, data, len);
    return len;
}

// sta_config(ssid, psk, hostname): store join parameters and enable STA.
// psk None keeps the stored one: the PSK lives only here, never in Python.
static mp_obj_t mod_netman_sta_config(mp_obj_t ssid, mp_obj_t psk, mp_obj_t hostname) {
    require_open();
    netman_sta_params_t params;
    netman_sta_get_params(&params);
    params.ssid_len = copy_checked(params.ssid, ssid, NETMAN_SSID_MAX, "ssid");
    if (psk != mp_const_none) {
        memset(params.psk, 0, sizeof(params.psk));
        params.psk_len = copy_checked(params.psk, psk, NETMAN_PSK_MAX, "psk");
    }
    memset(params.hostname, 0, sizeof(params.hostname));
    copy_checked((uint8_t *)params.hostname, hostname, NETMAN_HOSTNAME_MAX, "dhcp_hostname");
    netman_sta_set_params(&params);
    memset(&params, 0, sizeof(params));
    if (netman_sta_status() == NETMAN_STA_INACTIVE) {
        netman_sta_activate();
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_3(mod_netman_sta_config_obj, mod_netman_sta_config);

static mp_obj_t mod_netman_sta_auto_reconnect(mp_obj_t enabled) {
    netman_sta_set_auto_reconnect(mp_obj_is_true(enabled));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(mod_netman_sta_auto_reconnect_obj, mod_netman_sta_auto_reconnect);

static mp_obj_t mod_netman_sta_connect(void) {
    require_open();
    if (!netman_sta_has_params()) {
        raise_net_error(MP_QSTR_no_credentials, "no SSID configured for the station");
    }
    check_request(netman_sta_connect());
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_sta_connect_obj, mod_netman_sta_connect);

static mp_obj_t mod_netman_sta_disconnect(void) {
    require_open();
    check_request(netman_sta_disconnect());
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_sta_disconnect_obj, mod_netman_sta_disconnect);

static mp_obj_t mod_netman_sta_status(void) {
    return MP_OBJ_NEW_QSTR(status_qstrs[netman_sta_status()]);
}
static MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_sta_status_obj, mod_netman_sta_status);

static mp_obj_t mod_netman_last_reason(void) {
    netman_reason_t reason = netman_sta_last_reason();
    return reason == NETMAN_REASON_NONE ? mp_const_none : MP_OBJ_NEW_QSTR(netman_reason_qstr(reason));
}
static MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_last_reason_obj, mod_netman_last_reason);

static mp_obj_t mod_netman_stats(void) {
    netman_counters_t c;
    netman_hal_lock();
    c = netman_counters;
    netman_hal_unlock();
    static const struct {
        qstr name;
        size_t offset;
    } fields[] = {
        { MP_QSTR_events, offsetof(netman_counters_t, events) },
        { MP_QSTR_queue_overflows, offsetof(netman_counters_t, queue_overflows) },
        { MP_QSTR_sched_retries, offsetof(netman_counters_t, sched_retries) },
        { MP_QSTR_callbacks_raised, offsetof(netman_counters_t, callbacks_raised) },
        { MP_QSTR_connects, offsetof(netman_counters_t, connects) },
        { MP_QSTR_disconnects, offsetof(netman_counters_t, disconnects) },
        { MP_QSTR_beacon_timeouts, offsetof(netman_counters_t, beacon_timeouts) },
        { MP_QSTR_reconnect_attempts, offsetof(netman_counters_t, reconnect_attempts) },
    };
    mp_obj_t dict = mp_obj_new_dict(MP_ARRAY_SIZE(fields));
    for (size_t i = 0; i < MP_ARRAY_SIZE(fields); i++) {
        uint32_t value = *(const uint32_t *)((const uint8_t *)&c + fields[i].offset);
        mp_obj_dict_store(dict, MP_OBJ_NEW_QSTR(fields[i].name), mp_obj_new_int_from_uint(value));
    }
    return dict;
}
static MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_stats_obj, mod_netman_stats);

static const mp_rom_map_elem_t netman_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR__netman) },
    { MP_ROM_QSTR(MP_QSTR_init), MP_ROM_PTR(&mod_netman_init_obj) },
    { MP_ROM_QSTR(MP_QSTR_open), MP_ROM_PTR(&mod_netman_open_obj) },
    { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&mod_netman_close_obj) },
    { MP_ROM_QSTR(MP_QSTR_sta_config), MP_ROM_PTR(&mod_netman_sta_config_obj) },
    { MP_ROM_QSTR(MP_QSTR_sta_auto_reconnect), MP_ROM_PTR(&mod_netman_sta_auto_reconnect_obj) },
    { MP_ROM_QSTR(MP_QSTR_sta_connect), MP_ROM_PTR(&mod_netman_sta_connect_obj) },
    { MP_ROM_QSTR(MP_QSTR_sta_disconnect), MP_ROM_PTR(&mod_netman_sta_disconnect_obj) },
    { MP_ROM_QSTR(MP_QSTR_sta_status), MP_ROM_PTR(&mod_netman_sta_status_obj) },
    { MP_ROM_QSTR(MP_QSTR_last_reason), MP_ROM_PTR(&mod_netman_last_reason_obj) },
    { MP_ROM_QSTR(MP_QSTR_stats), MP_ROM_PTR(&mod_netman_stats_obj) },
    { MP_ROM_QSTR(MP_QSTR_EV_STA_CONNECTED), MP_ROM_INT(NETMAN_EV_STA_CONNECTED) },
    { MP_ROM_QSTR(MP_QSTR_EV_STA_GOT_IP), MP_ROM_INT(NETMAN_EV_STA_GOT_IP) },
    { MP_ROM_QSTR(MP_QSTR_EV_STA_DISCONNECTED), MP_ROM_INT(NETMAN_EV_STA_DISCONNECTED) },
    { MP_ROM_QSTR(MP_QSTR_EV_STA_BEACON_TIMEOUT), MP_ROM_INT(NETMAN_EV_STA_BEACON_TIMEOUT) },
    { MP_ROM_QSTR(MP_QSTR_EV_RADIO_LOST), MP_ROM_INT(NETMAN_EV_RADIO_LOST) },
    { MP_ROM_QSTR(MP_QSTR_QUEUE_LEN), MP_ROM_INT(NETMAN_QUEUE_LEN) },
};
static MP_DEFINE_CONST_DICT(netman_module_globals, netman_module_globals_table);

const mp_obj_module_t netman_user_cmodule = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&netman_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR__netman, netman_user_cmodule);
