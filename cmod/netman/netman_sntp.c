/*
 * SNTP in the core: what to sync with, when (it runs while the station has
 * an address, so every reconnect syncs again), and how the last attempt went.
 * The port does the protocol.
 */
#include <string.h>

#include "py/mphal.h"

#include "netman_core.h"

static netman_sntp_config_t config;
static netman_sntp_info_t info;
// Between an address and its loss: when SNTP should run.
static bool wanted;

netman_service_action_t netman_sntp_apply_locked(const netman_event_t *event) {
    switch (event->kind) {
        case NETMAN_EV_STA_GOT_IP:
            wanted = config.enabled;
            return wanted ? NETMAN_SERVICE_START : NETMAN_SERVICE_NONE;
        case NETMAN_EV_STA_DISCONNECTED:
        case NETMAN_EV_RADIO_LOST:
            wanted = false;
            netman_timer_clear_locked(NETMAN_TIMER_SNTP_RETRY);
            return config.enabled ? NETMAN_SERVICE_STOP : NETMAN_SERVICE_NONE;
        case NETMAN_EV_SNTP_SYNC:
            info.syncs++;
            info.synced = true;
            info.last_sync_ms = mp_hal_ticks_ms();
            info.offset_ms = event->u.sntp.offset_ms;
            info.last_error = NETMAN_REASON_NONE;
            break;
        case NETMAN_EV_SNTP_FAILED:
            info.failures++;
            info.last_error = event->u.reason;
            break;
        default:
            break;
    }
    return NETMAN_SERVICE_NONE;
}

netman_service_action_t netman_sntp_retry_due_locked(void) {
    return wanted ? NETMAN_SERVICE_START : NETMAN_SERVICE_NONE;
}

void netman_sntp_perform(netman_service_action_t action) {
    if (action == NETMAN_SERVICE_START) {
        netman_sntp_config_t c;
        netman_hal_lock();
        c = config;
        netman_hal_unlock();
        if (netman_hal_sntp_start(c.host, c.port, c.interval_ms) != NETMAN_OK) {
            // The application hears of it, and the start is tried again.
            netman_hal_lock();
            netman_timer_set_locked(NETMAN_TIMER_SNTP_RETRY, NETMAN_SNTP_RETRY_MS);
            netman_hal_unlock();
            netman_event_t failed = { .kind = NETMAN_EV_SNTP_FAILED };
            failed.u.reason = NETMAN_REASON_START_FAILED;
            netman_core_post(&failed);
        }
    } else if (action == NETMAN_SERVICE_STOP) {
        netman_hal_sntp_stop();
    }
}

void netman_sntp_configure(const netman_sntp_config_t *c) {
    netman_hal_lock();
    config = *c;
    memset(&info, 0, sizeof(info));
    netman_hal_unlock();
}

void netman_sntp_reset(void) {
    netman_hal_lock();
    wanted = false;
    memset(&config, 0, sizeof(config));
    memset(&info, 0, sizeof(info));
    netman_hal_unlock();
}

void netman_sntp_get_host(char host[NETMAN_SNTP_HOST_MAX + 1]) {
    netman_hal_lock();
    memcpy(host, config.host, NETMAN_SNTP_HOST_MAX + 1);
    netman_hal_unlock();
}

void netman_sntp_get(netman_sntp_config_t *c, netman_sntp_info_t *i) {
    netman_hal_lock();
    *c = config;
    *i = info;
    netman_hal_unlock();
}
