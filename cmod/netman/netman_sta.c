/*
 * Station state machine: status, the stored join parameters and the default
 * reconnect. Events are applied in driver context under the HAL lock, so the
 * status is right even while the MicroPython thread is busy.
 */
#include <string.h>

#include "netman_core.h"

netman_counters_t netman_counters;

static netman_sta_status_t sta_status;
static netman_reason_t sta_last_reason;
static netman_sta_params_t sta_params;
static bool sta_params_set;
static bool sta_auto_reconnect;

bool netman_sta_apply_locked(const netman_event_t *event) {
    switch (event->kind) {
        case NETMAN_EV_STA_CONNECTED:
            netman_counters.connects++;
            sta_status = NETMAN_STA_ASSOCIATED;
            break;
        case NETMAN_EV_STA_GOT_IP:
            // A beacon timeout marks the whole session degraded (AtomVM).
            if (sta_status != NETMAN_STA_DEGRADED) {
                sta_status = NETMAN_STA_CONNECTED;
            }
            break;
        case NETMAN_EV_STA_BEACON_TIMEOUT:
            netman_counters.beacon_timeouts++;
            if (sta_status == NETMAN_STA_ASSOCIATED || sta_status == NETMAN_STA_CONNECTED) {
                sta_status = NETMAN_STA_DEGRADED;
            }
            break;
        case NETMAN_EV_STA_DISCONNECTED: {
            netman_counters.disconnects++;
            bool requested = sta_status == NETMAN_STA_DISCONNECTING
                || event->u.reason == NETMAN_REASON_BY_REQUEST;
            sta_last_reason = requested ? NETMAN_REASON_BY_REQUEST : event->u.reason;
            if (!requested && sta_auto_reconnect && sta_params_set) {
                netman_counters.reconnect_attempts++;
                sta_status = NETMAN_STA_CONNECTING;
                return true;
            }
            sta_status = NETMAN_STA_DISCONNECTED;
            break;
        }
        case NETMAN_EV_RADIO_LOST:
            sta_last_reason = NETMAN_REASON_NO_RADIO;
            if (sta_status != NETMAN_STA_INACTIVE) {
                sta_status = NETMAN_STA_DISCONNECTED;
            }
            break;
        default:
            break;
    }
    return false;
}

void netman_sta_reset(void) {
    netman_hal_lock();
    // The PSK must not outlive the session in memory.
    memset(&sta_params, 0, sizeof(sta_params));
    sta_params_set = false;
    sta_auto_reconnect = false;
    sta_status = NETMAN_STA_INACTIVE;
    sta_last_reason = NETMAN_REASON_NONE;
    netman_hal_unlock();
}

void netman_sta_activate(void) {
    netman_hal_lock();
    sta_status = NETMAN_STA_DISCONNECTED;
    netman_hal_unlock();
}

void netman_sta_set_params(const netman_sta_params_t *params) {
    netman_hal_lock();
    sta_params = *params;
    sta_params_set = params->ssid_len > 0;
    netman_hal_unlock();
}

void netman_sta_get_params(netman_sta_params_t *params) {
    netman_hal_lock();
    *params = sta_params;
    netman_hal_unlock();
}

bool netman_sta_has_params(void) {
    return sta_params_set;
}

void netman_sta_set_auto_reconnect(bool enabled) {
    netman_hal_lock();
    sta_auto_reconnect = enabled;
    netman_hal_unlock();
}

netman_err_t netman_sta_connect(void) {
    netman_sta_params_t params;
    netman_hal_lock();
    params = sta_params;
    sta_status = NETMAN_STA_CONNECTING;
    netman_hal_unlock();
    netman_err_t err = netman_hal_sta_connect(&params);
    memset(&params, 0, sizeof(params));
    if (err != NETMAN_OK) {
        netman_hal_lock();
        sta_status = NETMAN_STA_DISCONNECTED;
        netman_hal_unlock();
    }
    return err;
}

netman_err_t netman_sta_disconnect(void) {
    netman_hal_lock();
    netman_sta_status_t before = sta_status;
    sta_status = NETMAN_STA_DISCONNECTING;
    netman_hal_unlock();
    netman_err_t err = netman_hal_sta_disconnect();
    if (err != NETMAN_OK) {
        netman_hal_lock();
        sta_status = before;
        netman_hal_unlock();
    }
    return err;
}

netman_sta_status_t netman_sta_status(void) {
    return sta_status;
}

netman_reason_t netman_sta_last_reason(void) {
    return sta_last_reason;
}
