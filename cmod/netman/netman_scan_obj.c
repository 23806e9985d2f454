/*
 * _netman's scan bindings: start a scan, watch its state, and turn the C
 * buffer into Python objects once, when the results are taken.
 */
#include <string.h>

#include "py/runtime.h"
#include "py/smallint.h"

#include "netman_obj.h"

// scan_start(passive, show_hidden, dwell_ms, channel, ssid, bssid); ssid b""
// for any, bssid None for any. The facade has validated every value.
static mp_obj_t mod_netman_scan_start(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    netman_require_open();
    netman_scan_params_t params;
    memset(&params, 0, sizeof(params));
    params.passive = mp_obj_is_true(args[0]);
    params.show_hidden = mp_obj_is_true(args[1]);
    params.dwell_ms = mp_obj_get_int(args[2]);
    params.channel = mp_obj_get_int(args[3]);
    params.ssid_len = netman_copy_text(params.ssid, args[4], NETMAN_SSID_MAX, "ssid");
    if (args[5] != mp_const_none) {
        mp_buffer_info_t bssid;
        mp_get_buffer_raise(args[5], &bssid, MP_BUFFER_READ);
        if (bssid.len != NETMAN_MAC_LEN) {
            mp_raise_ValueError(MP_ERROR_TEXT("bssid: must be 6 bytes"));
        }
        params.match_bssid = true;
        memcpy(params.bssid, bssid.buf, NETMAN_MAC_LEN);
    }
    netman_err_t err = netman_scan_start(&params);
    if (err == NETMAN_ERR_BUSY) {
        netman_raise(MP_QSTR_busy, "a scan is already running");
    }
    netman_check_request(err);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mod_netman_scan_start_obj, 6, 6, mod_netman_scan_start);

static const qstr scan_status_qstrs[] = {
    [NETMAN_SCAN_OK] = MP_QSTR_ok,
    [NETMAN_SCAN_FAILED] = MP_QSTR_failed,
    [NETMAN_SCAN_CANCELED] = MP_QSTR_canceled,
};

// scan_state() -> None (no scan), "running", or how the last scan ended:
// "ok", "failed", "canceled" (until its results are taken).
static mp_obj_t mod_netman_scan_state(void) {
    netman_scan_status_t status;
    mp_uint_t done_us;
    bool timed_out;
    netman_core_check_scan_bound();
    switch (netman_scan_state(&status, &done_us, &timed_out)) {
        case NETMAN_SCAN_STATE_RUNNING:
            return MP_OBJ_NEW_QSTR(MP_QSTR_running);
        case NETMAN_SCAN_STATE_DONE:
            return MP_OBJ_NEW_QSTR(scan_status_qstrs[status]);
        default:
            return mp_const_none;
    }
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_scan_state_obj, mod_netman_scan_state);

// scan_done_us() -> mp_hal_ticks_us() when the last scan ended.
static mp_obj_t mod_netman_scan_done_us(void) {
    netman_scan_status_t status;
    mp_uint_t done_us;
    bool timed_out;
    netman_scan_state(&status, &done_us, &timed_out);
    return mp_obj_new_int_from_uint(done_us & (MICROPY_PY_TIME_TICKS_PERIOD - 1));
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_scan_done_us_obj, mod_netman_scan_done_us);

static mp_obj_t network_dict(const netman_scan_result_t *r) {
    mp_obj_t d = mp_obj_new_dict(7);
    netman_store(d, MP_QSTR_ssid, netman_ssid_str(r->ssid, r->ssid_len));
    netman_store(d, MP_QSTR_ssid_bytes, mp_obj_new_bytes(r->ssid, r->ssid_len));
    netman_store(d, MP_QSTR_bssid, mp_obj_new_bytes(r->bssid, NETMAN_MAC_LEN));
    netman_store(d, MP_QSTR_rssi, MP_OBJ_NEW_SMALL_INT(r->rssi));
    netman_store(d, MP_QSTR_authmode, netman_authmode_obj(r->authmode));
    netman_store(d, MP_QSTR_channel, MP_OBJ_NEW_SMALL_INT(r->channel));
    netman_store(d, MP_QSTR_hidden, mp_obj_new_bool(r->hidden));
    return d;
}

// scan_take(limit) -> (found, [network, ...]) of a done scan, at most
// `limit` networks; NetError("scan_canceled"/"scan_failed") if it did not
// complete. The buffer is free for the next scan afterwards.
static mp_obj_t mod_netman_scan_take(mp_obj_t limit_in) {
    netman_scan_status_t status;
    mp_uint_t done_us;
    bool timed_out;
    if (netman_scan_state(&status, &done_us, &timed_out) != NETMAN_SCAN_STATE_DONE) {
        netman_raise(MP_QSTR_not_ready, "no finished scan to take");
    }
    if (status != NETMAN_SCAN_OK) {
        netman_scan_release();
        if (status == NETMAN_SCAN_CANCELED) {
            netman_raise(MP_QSTR_scan_canceled, "the scan was canceled: the network stopped");
        }
        netman_raise(MP_QSTR_scan_failed, timed_out ? "the scan failed: the radio did not finish it within its bound"
            : "the scan failed");
    }
    size_t count;
    uint32_t found;
    const netman_scan_result_t *results = netman_scan_view(&count, &found);
    size_t limit = mp_obj_get_int(limit_in);
    if (count > limit) {
        count = limit;
    }
    mp_obj_t networks = mp_obj_new_list(count, NULL);
    for (size_t i = 0; i < count; i++) {
        ((mp_obj_list_t *)MP_OBJ_TO_PTR(networks))->items[i] = network_dict(&results[i]);
    }
    netman_scan_release();
    mp_obj_t pair[2] = { mp_obj_new_int_from_uint(found), networks };
    return mp_obj_new_tuple(2, pair);
}
MP_DEFINE_CONST_FUN_OBJ_1(mod_netman_scan_take_obj, mod_netman_scan_take);
