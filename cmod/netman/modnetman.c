/*
 * _netman: the C user module under the netman facade. Not for applications:
 * the facade validates configuration and owns the callbacks; this module owns
 * the driver, the state machine and the event queue.
 */
#include <stdio.h>
#include <string.h>

#include "py/mperrno.h"
#include "py/mphal.h"
#include "py/runtime.h"

#include "netman_core.h"
#include "netman_obj.h"
#include "netman_text.h"
#include "netman_event_check.h"

MP_REGISTER_ROOT_POINTER(mp_obj_t netman_error_class);
MP_REGISTER_ROOT_POINTER(mp_obj_t netman_guard);

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
    [NETMAN_REASON_SSID_IN_USE] = MP_QSTR_ssid_in_use,
    [NETMAN_REASON_TIMEOUT] = MP_QSTR_timeout,
    [NETMAN_REASON_BAD_REPLY] = MP_QSTR_bad_reply,
    [NETMAN_REASON_NO_SERVER] = MP_QSTR_no_server,
    [NETMAN_REASON_JOIN_REFUSED] = MP_QSTR_join_refused,
    [NETMAN_REASON_START_FAILED] = MP_QSTR_start_failed,
};

qstr netman_reason_qstr(uint8_t reason) {
    if (reason < MP_ARRAY_SIZE(reason_qstrs)) {
        return reason_qstrs[reason];
    }
    return MP_QSTR_unknown;
}

static const qstr authmode_qstrs[NETMAN_AUTH_COUNT] = {
    [NETMAN_AUTH_OPEN] = MP_QSTR_open,
    [NETMAN_AUTH_WEP] = MP_QSTR_wep,
    [NETMAN_AUTH_WPA_PSK] = MP_QSTR_wpa_psk,
    [NETMAN_AUTH_WPA2_PSK] = MP_QSTR_wpa2_psk,
    [NETMAN_AUTH_WPA_WPA2_PSK] = MP_QSTR_wpa_wpa2_psk,
    [NETMAN_AUTH_WPA2_ENTERPRISE] = MP_QSTR_wpa2_enterprise,
    [NETMAN_AUTH_WPA3_PSK] = MP_QSTR_wpa3_psk,
    [NETMAN_AUTH_WPA2_WPA3_PSK] = MP_QSTR_wpa2_wpa3_psk,
    [NETMAN_AUTH_WAPI_PSK] = MP_QSTR_wapi_psk,
    [NETMAN_AUTH_OWE] = MP_QSTR_owe,
};

mp_obj_t netman_authmode_obj(uint8_t authmode) {
    return MP_OBJ_NEW_QSTR(authmode < NETMAN_AUTH_COUNT ? authmode_qstrs[authmode] : MP_QSTR_unknown);
}

mp_obj_t netman_ssid_str(const uint8_t *ssid, size_t len) {
    uint8_t text[NETMAN_UTF8_SANITIZED_MAX(NETMAN_SSID_MAX)];
    if (len > NETMAN_SSID_MAX) {
        len = NETMAN_SSID_MAX;
    }
    return mp_obj_new_str((const char *)text, netman_utf8_sanitize(ssid, len, text));
}

mp_obj_t netman_ip_str(uint32_t address) {
    char text[16];
    int len = snprintf(text, sizeof(text), "%u.%u.%u.%u",
        (unsigned)(address >> 24), (unsigned)(address >> 16) & 0xff,
        (unsigned)(address >> 8) & 0xff, (unsigned)address & 0xff);
    return mp_obj_new_str(text, len);
}

const qstr netman_status_qstrs[] = {
    [NETMAN_STA_INACTIVE] = MP_QSTR_inactive,
    [NETMAN_STA_DISCONNECTED] = MP_QSTR_disconnected,
    [NETMAN_STA_CONNECTING] = MP_QSTR_connecting,
    [NETMAN_STA_ASSOCIATED] = MP_QSTR_associated,
    [NETMAN_STA_CONNECTED] = MP_QSTR_connected,
    [NETMAN_STA_DEGRADED] = MP_QSTR_degraded,
    [NETMAN_STA_DISCONNECTING] = MP_QSTR_disconnecting,
};

MP_NORETURN void netman_raise(qstr reason, const char *message) {
    mp_obj_t cls = MP_STATE_VM(netman_error_class);
    if (cls == MP_OBJ_NULL) {
        mp_raise_OSError(MP_EIO);
    }
    nlr_raise(mp_call_function_2(cls, MP_OBJ_NEW_QSTR(reason), mp_obj_new_str(message, strlen(message))));
}

// The port's own words for a refusal, or ours when it gave none.
static const char *port_says(const char *otherwise) {
    const char *text = netman_hal_last_error();
    return *text != '\0' ? text : otherwise;
}

void netman_check_request(netman_err_t err) {
    switch (err) {
        case NETMAN_OK:
            return;
        case NETMAN_ERR_NO_RADIO:
            netman_raise(MP_QSTR_no_radio, netman_hal_last_error());
        case NETMAN_ERR_STATE:
            netman_raise(MP_QSTR_not_started, port_says("the radio is not running"));
        case NETMAN_ERR_BUSY:
            netman_raise(MP_QSTR_busy, port_says("a request of this kind is already running"));
        case NETMAN_ERR_UNSUPPORTED:
            netman_raise(MP_QSTR_unsupported, port_says("the driver cannot do this"));
        case NETMAN_ERR_IO:
            break;
    }
    netman_raise(MP_QSTR_io_error, netman_hal_last_error());
}

void netman_store(mp_obj_t dict, qstr key, mp_obj_t value) {
    mp_obj_dict_store(dict, MP_OBJ_NEW_QSTR(key), value);
}

size_t netman_copy_text(uint8_t *dest, mp_obj_t value, size_t max, const char *what) {
    size_t len;
    const char *data = mp_obj_str_get_data(value, &len);
    if (len > max) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("%s: at most %d bytes"), what, (int)max);
    }
    memcpy(dest, data, len);
    return len;
}

bool netman_is_open(void) {
    return netman_open;
}

void netman_require_open(void) {
    if (!netman_open) {
        netman_raise(MP_QSTR_not_started, "netman is not started");
    }
}

// init(dispatcher, error_class): where events and errors go.
static mp_obj_t mod_netman_init(mp_obj_t dispatcher, mp_obj_t error_class) {
    if (!mp_obj_is_callable(dispatcher) || !mp_obj_is_callable(error_class)) {
        mp_raise_TypeError(MP_ERROR_TEXT("init(dispatcher, error_class): both must be callable"));
    }
    netman_guard();
    netman_core_set_dispatcher(dispatcher);
    MP_STATE_VM(netman_error_class) = error_class;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(mod_netman_init_obj, mod_netman_init);

// hold(flag): True makes events wait in the queue, False undoes one True
// (the last one delivers what waited).
static mp_obj_t mod_netman_hold(mp_obj_t flag) {
    netman_core_hold(mp_obj_is_true(flag));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(mod_netman_hold_obj, mod_netman_hold);

static mp_obj_t mod_netman_close(void);

// The end of the VM (a board's soft reset, the host build's exit): its heap
// goes, and the next mp_init() does not clear root pointers. Every root
// pointer netman sets stays NULL until the guard exists, and the guard's
// finaliser (gc_sweep_all runs it before the heap goes) closes the driver,
// so no timer or driver callback outlives the heap, and clears them all.
static void forget_vm(void) {
    mod_netman_close();
    netman_scan_forget();
    netman_core_set_dispatcher(MP_OBJ_NULL);
    MP_STATE_VM(netman_error_class) = MP_OBJ_NULL;
    netman_sniffer_forget_vm();
    #if NETMAN_ESPNOW_RADIO
    netman_espnow_forget_vm();
    #endif
    MP_STATE_VM(netman_guard) = MP_OBJ_NULL;
}

static mp_obj_t netman_guard_del(mp_obj_t self_in) {
    if (MP_STATE_VM(netman_guard) == self_in) {
        forget_vm();
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(netman_guard_del_obj, netman_guard_del);
static const mp_rom_map_elem_t netman_guard_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&netman_guard_del_obj) },
};
static MP_DEFINE_CONST_DICT(netman_guard_locals, netman_guard_locals_table);
static MP_DEFINE_CONST_OBJ_TYPE(netman_guard_type, MP_QSTR_guard, MP_TYPE_FLAG_NONE,
    locals_dict, &netman_guard_locals);

void netman_guard(void) {
    if (MP_STATE_VM(netman_guard) == MP_OBJ_NULL) {
        mp_obj_base_t *guard = mp_obj_malloc_with_finaliser(mp_obj_base_t, &netman_guard_type);
        MP_STATE_VM(netman_guard) = MP_OBJ_FROM_PTR(guard);
    }
}

// open() -> factory MAC as 6 bytes; brings the driver up.
static mp_obj_t mod_netman_open(void) {
    if (netman_open) {
        netman_raise(MP_QSTR_already_started, "netman is already started");
    }
    uint8_t mac[NETMAN_MAC_LEN];
    memset(&netman_counters, 0, sizeof(netman_counters));
    netman_guard();
    // The driver posts events from netman_hal_open() on.
    netman_queue_open();
    netman_err_t err = netman_hal_open(mac);
    if (err != NETMAN_OK) {
        netman_queue_close();
        netman_check_request(err);
    }
    netman_open = true;
    // Devices that lost the same AP must not retry in step: seed the jitter per device.
    uint32_t seed = mp_hal_ticks_ms();
    for (size_t i = 0; i < NETMAN_MAC_LEN; i++) {
        seed = seed * 31 + mac[i];
    }
    netman_sta_set_backoff(0, 0, seed);
    return mp_obj_new_bytes(mac, NETMAN_MAC_LEN);
}
static MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_open_obj, mod_netman_open);

// Stop everything and free what the session took from the heap. The driver
// closes (or ESP-NOW stops) first: after that no driver context reaches the
// core's heap blocks.
static mp_obj_t mod_netman_close(void) {
    // The sniffer needs the radio: it stops first.
    netman_sniffer_close();
    if (netman_open) {
        netman_hal_close();
        netman_open = false;
    }
    #if NETMAN_ESPNOW_RADIO
    else if (netman_espnow_is_active()) {
        netman_hal_espnow_active(false); // on a radio netman did not open
    }
    #endif
    netman_scan_cancel();
    netman_sta_reset();
    netman_ap_reset();
    netman_channel_reset();
    netman_sntp_reset();
    netman_mdns_reset();
    netman_radio_reset();
    netman_eap_reset();
    #if NETMAN_ESPNOW_RADIO
    // ESP-NOW needs the radio: it stops with the network.
    netman_espnow_stop();
    netman_espnow_set_irq(MP_OBJ_NULL, MP_OBJ_NULL);
    #endif
    netman_core_reset();
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_close_obj, mod_netman_close);

// tick(period_ms): EV_TICK to the dispatcher every period_ms while the
// network runs (0: none).
static mp_obj_t mod_netman_tick(mp_obj_t period_ms) {
    netman_require_open();
    mp_int_t ms = mp_obj_get_int(period_ms);
    if (ms < 0 || ms > 3600000) {
        mp_raise_ValueError(MP_ERROR_TEXT("tick period must be 0 to 3600000 ms"));
    }
    netman_timer_set_tick((uint32_t)ms);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(mod_netman_tick_obj, mod_netman_tick);

static mp_obj_t mod_netman_stats(void) {
    netman_counters_t c;
    netman_sta_info_t sta;
    netman_hal_lock();
    c = netman_counters;
    netman_hal_unlock();
    netman_sta_get_info(&sta);
    mp_obj_t by_reason = mp_obj_new_dict(0);
    uint32_t disconnects = 0;
    for (size_t r = NETMAN_REASON_NONE + 1; r < NETMAN_REASON_COUNT; r++) {
        if (!netman_reason_ends_connection(r)) {
            continue;
        }
        disconnects += c.disconnects[r];
        netman_store(by_reason, netman_reason_qstr(r), mp_obj_new_int_from_uint(c.disconnects[r]));
    }
    const struct {
        qstr name;
        uint32_t value;
    } fields[] = {
        { MP_QSTR_events, c.events },
        { MP_QSTR_queue_overflows, c.queue_overflows },
        { MP_QSTR_sched_retries, c.sched_retries },
        { MP_QSTR_callbacks_raised, c.callbacks_raised },
        { MP_QSTR_connects, c.connects },
        { MP_QSTR_disconnects, disconnects },
        { MP_QSTR_beacon_timeouts, c.beacon_timeouts },
        { MP_QSTR_reconnect_attempts, c.reconnect_attempts },
        { MP_QSTR_reconnect_retry, sta.reconnect_retry },
        { MP_QSTR_reconnect_delay_ms, sta.reconnect_delay_ms },
        { MP_QSTR_events_rejected, c.events_rejected },
    };
    mp_obj_t dict = mp_obj_new_dict(MP_ARRAY_SIZE(fields) + 1);
    for (size_t i = 0; i < MP_ARRAY_SIZE(fields); i++) {
        netman_store(dict, fields[i].name, mp_obj_new_int_from_uint(fields[i].value));
    }
    netman_store(dict, MP_QSTR_disconnect_reasons, by_reason);
    return dict;
}
static MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_stats_obj, mod_netman_stats);

static const mp_rom_map_elem_t netman_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR__netman) },
    { MP_ROM_QSTR(MP_QSTR_init), MP_ROM_PTR(&mod_netman_init_obj) },
    { MP_ROM_QSTR(MP_QSTR_hold), MP_ROM_PTR(&mod_netman_hold_obj) },
    { MP_ROM_QSTR(MP_QSTR_open), MP_ROM_PTR(&mod_netman_open_obj) },
    { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&mod_netman_close_obj) },
    { MP_ROM_QSTR(MP_QSTR_sta_config), MP_ROM_PTR(&mod_netman_sta_config_obj) },
    { MP_ROM_QSTR(MP_QSTR_sta_reconnect_policy), MP_ROM_PTR(&mod_netman_sta_reconnect_policy_obj) },
    { MP_ROM_QSTR(MP_QSTR_sta_connect), MP_ROM_PTR(&mod_netman_sta_connect_obj) },
    { MP_ROM_QSTR(MP_QSTR_sta_reconnect_limit), MP_ROM_PTR(&mod_netman_sta_reconnect_limit_obj) },
    { MP_ROM_QSTR(MP_QSTR_sta_disconnect), MP_ROM_PTR(&mod_netman_sta_disconnect_obj) },
    { MP_ROM_QSTR(MP_QSTR_sta_status), MP_ROM_PTR(&mod_netman_sta_status_obj) },
    { MP_ROM_QSTR(MP_QSTR_sta_rssi), MP_ROM_PTR(&mod_netman_sta_rssi_obj) },
    { MP_ROM_QSTR(MP_QSTR_sta_info), MP_ROM_PTR(&mod_netman_sta_info_obj) },
    { MP_ROM_QSTR(MP_QSTR_ap_start), MP_ROM_PTR(&mod_netman_ap_start_obj) },
    { MP_ROM_QSTR(MP_QSTR_ap_stop), MP_ROM_PTR(&mod_netman_ap_stop_obj) },
    { MP_ROM_QSTR(MP_QSTR_ap_info), MP_ROM_PTR(&mod_netman_ap_info_obj) },
    { MP_ROM_QSTR(MP_QSTR_ap_mac), MP_ROM_PTR(&mod_netman_ap_mac_obj) },
    { MP_ROM_QSTR(MP_QSTR_radio_channel), MP_ROM_PTR(&mod_netman_radio_channel_obj) },
    { MP_ROM_QSTR(MP_QSTR_set_channel), MP_ROM_PTR(&mod_netman_set_channel_obj) },
    { MP_ROM_QSTR(MP_QSTR_mdns_config), MP_ROM_PTR(&mod_netman_mdns_config_obj) },
    { MP_ROM_QSTR(MP_QSTR_mdns_status), MP_ROM_PTR(&mod_netman_mdns_status_obj) },
    { MP_ROM_QSTR(MP_QSTR_sntp_config), MP_ROM_PTR(&mod_netman_sntp_config_obj) },
    { MP_ROM_QSTR(MP_QSTR_sntp_status), MP_ROM_PTR(&mod_netman_sntp_status_obj) },
    { MP_ROM_QSTR(MP_QSTR_store_read), MP_ROM_PTR(&mod_netman_store_read_obj) },
    { MP_ROM_QSTR(MP_QSTR_store_write), MP_ROM_PTR(&mod_netman_store_write_obj) },
    { MP_ROM_QSTR(MP_QSTR_store_erase), MP_ROM_PTR(&mod_netman_store_erase_obj) },
    { MP_ROM_QSTR(MP_QSTR_store_location), MP_ROM_PTR(&mod_netman_store_location_obj) },
    #if NETMAN_ESPNOW_RADIO
    { MP_ROM_QSTR(MP_QSTR_espnow_active), MP_ROM_PTR(&mod_netman_espnow_active_obj) },
    { MP_ROM_QSTR(MP_QSTR_espnow_send), MP_ROM_PTR(&mod_netman_espnow_send_obj) },
    { MP_ROM_QSTR(MP_QSTR_espnow_recvinto), MP_ROM_PTR(&mod_netman_espnow_recvinto_obj) },
    { MP_ROM_QSTR(MP_QSTR_espnow_any), MP_ROM_PTR(&mod_netman_espnow_any_obj) },
    { MP_ROM_QSTR(MP_QSTR_espnow_stats), MP_ROM_PTR(&mod_netman_espnow_stats_obj) },
    { MP_ROM_QSTR(MP_QSTR_espnow_set_pmk), MP_ROM_PTR(&mod_netman_espnow_set_pmk_obj) },
    { MP_ROM_QSTR(MP_QSTR_espnow_peer), MP_ROM_PTR(&mod_netman_espnow_peer_obj) },
    { MP_ROM_QSTR(MP_QSTR_espnow_get_peer), MP_ROM_PTR(&mod_netman_espnow_get_peer_obj) },
    { MP_ROM_QSTR(MP_QSTR_espnow_del_peer), MP_ROM_PTR(&mod_netman_espnow_del_peer_obj) },
    { MP_ROM_QSTR(MP_QSTR_espnow_get_peers), MP_ROM_PTR(&mod_netman_espnow_get_peers_obj) },
    { MP_ROM_QSTR(MP_QSTR_espnow_irq), MP_ROM_PTR(&mod_netman_espnow_irq_obj) },
    { MP_ROM_QSTR(MP_QSTR_espnow_peers_table), MP_ROM_PTR(&mod_netman_espnow_peers_table_obj) },
    { MP_ROM_QSTR(MP_QSTR_espnow_peer_count), MP_ROM_PTR(&mod_netman_espnow_peer_count_obj) },
    { MP_ROM_QSTR(MP_QSTR_espnow_deliver), MP_ROM_PTR(&mod_netman_espnow_deliver_obj) },
    { MP_ROM_QSTR(MP_QSTR_espnow_rate), MP_ROM_PTR(&mod_netman_espnow_rate_obj) },
    #endif
    { MP_ROM_QSTR(MP_QSTR_sta_eap), MP_ROM_PTR(&mod_netman_sta_eap_obj) },
    { MP_ROM_QSTR(MP_QSTR_sniffer_start), MP_ROM_PTR(&mod_netman_sniffer_start_obj) },
    { MP_ROM_QSTR(MP_QSTR_sniffer_stop), MP_ROM_PTR(&mod_netman_sniffer_stop_obj) },
    { MP_ROM_QSTR(MP_QSTR_sniffer_active), MP_ROM_PTR(&mod_netman_sniffer_active_obj) },
    { MP_ROM_QSTR(MP_QSTR_sniffer_recvinto), MP_ROM_PTR(&mod_netman_sniffer_recvinto_obj) },
    { MP_ROM_QSTR(MP_QSTR_sniffer_any), MP_ROM_PTR(&mod_netman_sniffer_any_obj) },
    { MP_ROM_QSTR(MP_QSTR_sniffer_stats), MP_ROM_PTR(&mod_netman_sniffer_stats_obj) },
    { MP_ROM_QSTR(MP_QSTR_sniffer_irq), MP_ROM_PTR(&mod_netman_sniffer_irq_obj) },
    { MP_ROM_QSTR(MP_QSTR_SnifferFrame), MP_ROM_PTR(&netman_sniffer_frame_type) },
    { MP_ROM_QSTR(MP_QSTR_SNIFFER_RECORD_HEAD), MP_ROM_INT(NETMAN_SNIFFER_RECORD_HEAD) },
    { MP_ROM_QSTR(MP_QSTR_EAP_PEAP), MP_ROM_INT(NETMAN_EAP_PEAP) },
    { MP_ROM_QSTR(MP_QSTR_EAP_TTLS), MP_ROM_INT(NETMAN_EAP_TTLS) },
    { MP_ROM_QSTR(MP_QSTR_EAP_TLS), MP_ROM_INT(NETMAN_EAP_TLS) },
    { MP_ROM_QSTR(MP_QSTR_send_raw), MP_ROM_PTR(&mod_netman_send_raw_obj) },
    { MP_ROM_QSTR(MP_QSTR_radio_set), MP_ROM_PTR(&mod_netman_radio_set_obj) },
    { MP_ROM_QSTR(MP_QSTR_radio_get), MP_ROM_PTR(&mod_netman_radio_get_obj) },
    { MP_ROM_QSTR(MP_QSTR_country_channels), MP_ROM_PTR(&mod_netman_country_channels_obj) },
    { MP_ROM_QSTR(MP_QSTR_scan_start), MP_ROM_PTR(&mod_netman_scan_start_obj) },
    { MP_ROM_QSTR(MP_QSTR_scan_state), MP_ROM_PTR(&mod_netman_scan_state_obj) },
    { MP_ROM_QSTR(MP_QSTR_scan_done_us), MP_ROM_PTR(&mod_netman_scan_done_us_obj) },
    { MP_ROM_QSTR(MP_QSTR_scan_take), MP_ROM_PTR(&mod_netman_scan_take_obj) },
    { MP_ROM_QSTR(MP_QSTR_stats), MP_ROM_PTR(&mod_netman_stats_obj) },
    { MP_ROM_QSTR(MP_QSTR_tick), MP_ROM_PTR(&mod_netman_tick_obj) },
    { MP_ROM_QSTR(MP_QSTR_EV_TICK), MP_ROM_INT(NETMAN_EV_TICK) },
    { MP_ROM_QSTR(MP_QSTR_EV_STA_CONNECTED), MP_ROM_INT(NETMAN_EV_STA_CONNECTED) },
    { MP_ROM_QSTR(MP_QSTR_EV_STA_GOT_IP), MP_ROM_INT(NETMAN_EV_STA_GOT_IP) },
    { MP_ROM_QSTR(MP_QSTR_EV_STA_DISCONNECTED), MP_ROM_INT(NETMAN_EV_STA_DISCONNECTED) },
    { MP_ROM_QSTR(MP_QSTR_EV_STA_BEACON_TIMEOUT), MP_ROM_INT(NETMAN_EV_STA_BEACON_TIMEOUT) },
    { MP_ROM_QSTR(MP_QSTR_EV_RADIO_LOST), MP_ROM_INT(NETMAN_EV_RADIO_LOST) },
    { MP_ROM_QSTR(MP_QSTR_EV_SCAN_DONE), MP_ROM_INT(NETMAN_EV_SCAN_DONE) },
    { MP_ROM_QSTR(MP_QSTR_EV_AP_STARTED), MP_ROM_INT(NETMAN_EV_AP_STARTED) },
    { MP_ROM_QSTR(MP_QSTR_EV_SNTP_SYNC), MP_ROM_INT(NETMAN_EV_SNTP_SYNC) },
    { MP_ROM_QSTR(MP_QSTR_EV_MDNS_NAME), MP_ROM_INT(NETMAN_EV_MDNS_NAME) },
    { MP_ROM_QSTR(MP_QSTR_EV_AP_FAILED), MP_ROM_INT(NETMAN_EV_AP_FAILED) },
    { MP_ROM_QSTR(MP_QSTR_EV_AP_STA_CONNECTED), MP_ROM_INT(NETMAN_EV_AP_STA_CONNECTED) },
    { MP_ROM_QSTR(MP_QSTR_EV_AP_STA_DISCONNECTED), MP_ROM_INT(NETMAN_EV_AP_STA_DISCONNECTED) },
    { MP_ROM_QSTR(MP_QSTR_EV_AP_STA_IP_ASSIGNED), MP_ROM_INT(NETMAN_EV_AP_STA_IP_ASSIGNED) },
    { MP_ROM_QSTR(MP_QSTR_AP_MAX_STATIONS), MP_ROM_INT(NETMAN_AP_MAX_STATIONS) },
    { MP_ROM_QSTR(MP_QSTR_QUEUE_LEN), MP_ROM_INT(NETMAN_QUEUE_LEN) },
    { MP_ROM_QSTR(MP_QSTR_MAX_SCAN_RESULTS), MP_ROM_INT(NETMAN_MAX_SCAN_RESULTS) },
    { MP_ROM_QSTR(MP_QSTR_ESPNOW_RADIO), MP_ROM_INT(NETMAN_ESPNOW_RADIO) },
    { MP_ROM_QSTR(MP_QSTR_TXPOWER_MIN_QDBM), MP_ROM_INT(NETMAN_TXPOWER_MIN_QDBM) },
    { MP_ROM_QSTR(MP_QSTR_TXPOWER_MAX_QDBM), MP_ROM_INT(NETMAN_TXPOWER_MAX_QDBM) },
};
static MP_DEFINE_CONST_DICT(netman_module_globals, netman_module_globals_table);

const mp_obj_module_t netman_user_cmodule = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&netman_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR__netman, netman_user_cmodule);
