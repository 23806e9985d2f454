/*
 * Station state machine: status, what the station joined, the stored join
 * parameters and the default reconnect (at once, or with backoff). Events are
 * applied in driver context under the HAL lock, so the status is right even
 * while the MicroPython thread is busy.
 */
#include <string.h>

#include "py/mphal.h"
#include "py/runtime.h"

#include "netman_core.h"

// The join parameters (PSK included) live on the GC heap from the first
// netman_sta_set_params() of a session to netman_sta_reset() at close.
MP_REGISTER_ROOT_POINTER(void *netman_sta_params);

#define STA_PARAMS() ((netman_sta_params_t *)MP_STATE_VM(netman_sta_params))

// Longest backoff doubling step, so the shift cannot overflow.
#define BACKOFF_MAX_SHIFT (20)

netman_counters_t netman_counters;

static netman_sta_info_t sta;
static bool sta_params_set;
static bool sta_auto_reconnect;
static uint32_t backoff_initial_ms;
static uint32_t backoff_max_ms;
static uint32_t jitter_state;
// Automatic reconnects allowed after the application's last join request
// (-1: no limit), as MicroPython's WLAN.config(reconnects=) counts them.
static int32_t reconnect_limit = -1;
static uint32_t reconnects_made;

// xorshift32: cheap jitter that is safe in driver context.
static uint32_t jitter_next(void) {
    uint32_t x = jitter_state ? jitter_state : 0x9e3779b9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    jitter_state = x;
    return x;
}

// Delay before reconnect attempt number `retry` (1-based): exponential up to
// the maximum, then "equal jitter" (half fixed, half random) so that many
// devices do not retry in step.
static uint32_t backoff_delay(uint32_t retry) {
    uint32_t shift = retry - 1 < BACKOFF_MAX_SHIFT ? retry - 1 : BACKOFF_MAX_SHIFT;
    uint64_t base = (uint64_t)backoff_initial_ms << shift;
    if (base > backoff_max_ms) {
        base = backoff_max_ms;
    }
    uint32_t half = (uint32_t)(base / 2);
    return half + jitter_next() % (half + 1);
}

static void forget_session(void) {
    sta.associated = false;
    sta.have_ip = false;
}

static netman_action_t on_disconnected(netman_reason_t reason) {
    bool requested = sta.status == NETMAN_STA_DISCONNECTING || reason == NETMAN_REASON_BY_REQUEST;
    sta.last_reason = requested ? NETMAN_REASON_BY_REQUEST : reason;
    netman_counters.disconnects[sta.last_reason]++;
    forget_session();
    sta.status = NETMAN_STA_DISCONNECTED;
    if (requested || !sta_auto_reconnect || !sta_params_set) {
        return NETMAN_ACTION_NONE;
    }
    if (reconnect_limit >= 0 && reconnects_made >= (uint32_t)reconnect_limit) {
        return NETMAN_ACTION_NONE;
    }
    reconnects_made++;
    sta.reconnect_retry++;
    netman_counters.reconnect_attempts++;
    // A join the driver refused is tried again after a while, never at once:
    // a driver that keeps refusing must not spin the reconnect.
    bool refused = reason == NETMAN_REASON_JOIN_REFUSED;
    if (backoff_initial_ms == 0 && !refused) {
        sta.status = NETMAN_STA_CONNECTING;
        return NETMAN_ACTION_CONNECT;
    }
    uint32_t delay = backoff_initial_ms == 0 ? 0 : backoff_delay(sta.reconnect_retry);
    sta.reconnect_delay_ms = refused && delay < NETMAN_JOIN_RETRY_MS ? NETMAN_JOIN_RETRY_MS : delay;
    netman_timer_set_locked(NETMAN_TIMER_RECONNECT, sta.reconnect_delay_ms);
    return NETMAN_ACTION_NONE;
}

bool netman_sta_hears_locked(const netman_event_t *event) {
    switch (event->kind) {
        case NETMAN_EV_STA_CONNECTED:
        case NETMAN_EV_STA_GOT_IP:
        case NETMAN_EV_STA_DISCONNECTED:
        case NETMAN_EV_STA_BEACON_TIMEOUT:
        case NETMAN_EV_STA_CHANNEL:
            return sta.status != NETMAN_STA_INACTIVE;
        default:
            return true;
    }
}

netman_action_t netman_sta_reconnect_due_locked(void) {
    // The backoff delay is over; unless the application took over.
    if (sta.status == NETMAN_STA_DISCONNECTED) {
        sta.reconnect_delay_ms = 0;
        sta.status = NETMAN_STA_CONNECTING;
        return NETMAN_ACTION_CONNECT;
    }
    return NETMAN_ACTION_NONE;
}

netman_action_t netman_sta_apply_locked(const netman_event_t *event) {
    switch (event->kind) {
        case NETMAN_EV_STA_CONNECTED:
            netman_counters.connects++;
            sta.status = NETMAN_STA_ASSOCIATED;
            sta.associated = true;
            sta.have_ip = false;
            sta.assoc = event->u.assoc;
            if (STA_PARAMS() != NULL) {
                sta.ssid_len = STA_PARAMS()->ssid_len;
                memcpy(sta.ssid, STA_PARAMS()->ssid, sta.ssid_len);
            }
            sta.connected_at_ms = mp_hal_ticks_ms();
            break;
        case NETMAN_EV_STA_GOT_IP:
            sta.have_ip = true;
            sta.ip = event->u.ip;
            sta.reconnect_retry = 0;
            // A beacon timeout marks the whole session degraded (AtomVM).
            if (sta.status != NETMAN_STA_DEGRADED) {
                sta.status = NETMAN_STA_CONNECTED;
            }
            break;
        case NETMAN_EV_STA_BEACON_TIMEOUT:
            netman_counters.beacon_timeouts++;
            if (sta.status == NETMAN_STA_ASSOCIATED || sta.status == NETMAN_STA_CONNECTED) {
                sta.status = NETMAN_STA_DEGRADED;
            }
            break;
        case NETMAN_EV_STA_CHANNEL:
            sta.assoc.channel = event->u.channel;
            break;
        case NETMAN_EV_STA_DISCONNECTED:
            return on_disconnected(event->u.reason);
        case NETMAN_EV_RADIO_LOST:
            sta.last_reason = NETMAN_REASON_NO_RADIO;
            netman_counters.disconnects[NETMAN_REASON_NO_RADIO]++;
            forget_session();
            if (sta.status != NETMAN_STA_INACTIVE) {
                sta.status = NETMAN_STA_DISCONNECTED;
            }
            break;
        default:
            break;
    }
    return NETMAN_ACTION_NONE;
}

void netman_sta_reset(void) {
    netman_hal_lock();
    netman_sta_params_t *params = STA_PARAMS();
    MP_STATE_VM(netman_sta_params) = NULL;
    memset(&sta, 0, sizeof(sta));
    sta_params_set = false;
    sta_auto_reconnect = false;
    backoff_initial_ms = 0;
    backoff_max_ms = 0;
    reconnect_limit = -1;
    reconnects_made = 0;
    netman_hal_unlock();
    if (params != NULL) {
        // The PSK must not outlive the session in memory.
        memset(params, 0, sizeof(*params));
        m_del_obj(netman_sta_params_t, params);
    }
}

void netman_sta_activate(void) {
    netman_hal_lock();
    sta.status = NETMAN_STA_DISCONNECTED;
    netman_hal_unlock();
}

// The MicroPython thread (it may allocate).
void netman_sta_set_params(const netman_sta_params_t *params) {
    if (STA_PARAMS() == NULL) {
        netman_sta_params_t *block = m_new_obj(netman_sta_params_t);
        netman_hal_lock();
        MP_STATE_VM(netman_sta_params) = block;
        netman_hal_unlock();
    }
    netman_hal_lock();
    *STA_PARAMS() = *params;
    sta_params_set = params->ssid_len > 0;
    netman_hal_unlock();
}

void netman_sta_get_params(netman_sta_params_t *params) {
    netman_hal_lock();
    if (STA_PARAMS() != NULL) {
        *params = *STA_PARAMS();
    } else {
        memset(params, 0, sizeof(*params));
    }
    netman_hal_unlock();
}

bool netman_sta_has_params(void) {
    netman_hal_lock();
    bool set = sta_params_set;
    netman_hal_unlock();
    return set;
}

void netman_sta_set_auto_reconnect(bool enabled) {
    netman_hal_lock();
    sta_auto_reconnect = enabled;
    netman_hal_unlock();
}

void netman_sta_set_reconnect_limit(int32_t limit) {
    netman_hal_lock();
    reconnect_limit = limit;
    netman_hal_unlock();
}

void netman_sta_set_backoff(uint32_t initial_ms, uint32_t max_ms, uint32_t seed) {
    netman_hal_lock();
    backoff_initial_ms = initial_ms;
    backoff_max_ms = max_ms;
    jitter_state = seed;
    netman_hal_unlock();
}

// The application asked: a pending automatic reconnect is void.
static void cancel_pending_reconnect_locked(void) {
    sta.reconnect_delay_ms = 0;
    sta.reconnect_retry = 0;
    netman_timer_clear_locked(NETMAN_TIMER_RECONNECT);
}

netman_err_t netman_sta_join(void) {
    netman_sta_params_t params;
    netman_sta_get_params(&params);
    netman_hal_lock();
    sta.status = NETMAN_STA_CONNECTING;
    netman_hal_unlock();
    netman_err_t err = netman_hal_sta_connect(&params);
    memset(&params, 0, sizeof(params));
    if (err != NETMAN_OK) {
        netman_hal_lock();
        sta.status = NETMAN_STA_DISCONNECTED;
        netman_hal_unlock();
    }
    return err;
}

void netman_sta_rejoin(void) {
    if (netman_sta_join() != NETMAN_OK) {
        // Nobody waits for this answer: the application hears it as a
        // disconnect, and the reconnect policy tries again later.
        netman_event_t refused = { .kind = NETMAN_EV_STA_DISCONNECTED };
        refused.u.reason = NETMAN_REASON_JOIN_REFUSED;
        netman_core_post(&refused);
    }
}

netman_err_t netman_sta_connect(void) {
    netman_hal_lock();
    cancel_pending_reconnect_locked();
    reconnects_made = 0;
    netman_hal_unlock();
    netman_timer_commit();
    return netman_sta_join();
}

netman_err_t netman_sta_disconnect(void) {
    netman_hal_lock();
    netman_sta_status_t before = sta.status;
    cancel_pending_reconnect_locked();
    sta.status = NETMAN_STA_DISCONNECTING;
    netman_hal_unlock();
    netman_timer_commit();
    netman_err_t err = netman_hal_sta_disconnect();
    if (err != NETMAN_OK) {
        netman_hal_lock();
        sta.status = before;
        netman_hal_unlock();
    }
    return err;
}

netman_sta_status_t netman_sta_status(void) {
    netman_hal_lock();
    netman_sta_status_t status = sta.status;
    netman_hal_unlock();
    return status;
}

void netman_sta_get_info(netman_sta_info_t *info) {
    netman_hal_lock();
    *info = sta;
    netman_hal_unlock();
}
