/*
 * Our access point: its status, where it is (address, channel) and the
 * stations that joined it. Applied in driver context under the HAL lock.
 */
#include <string.h>

#include "netman_core.h"

static netman_ap_info_t ap;

static int find_station(const uint8_t *mac) {
    for (int i = 0; i < ap.station_count; i++) {
        if (memcmp(ap.stations[i].mac, mac, NETMAN_MAC_LEN) == 0) {
            return i;
        }
    }
    return -1;
}

void netman_ap_apply_locked(const netman_event_t *event) {
    int i;
    switch (event->kind) {
        case NETMAN_EV_AP_STARTED:
            ap.status = NETMAN_AP_STARTED;
            ap.address = event->u.ap.address;
            ap.netmask = event->u.ap.netmask;
            ap.channel = event->u.ap.channel;
            break;
        case NETMAN_EV_AP_FAILED:
            ap.status = NETMAN_AP_FAILED;
            ap.fail_reason = event->u.reason;
            break;
        case NETMAN_EV_AP_CHANNEL:
            ap.channel = event->u.channel;
            break;
        case NETMAN_EV_AP_STA_CONNECTED:
            i = find_station(event->u.station.mac);
            if (i < 0 && ap.station_count < NETMAN_AP_MAX_STATIONS) {
                i = ap.station_count++;
            }
            if (i >= 0) {
                memset(&ap.stations[i], 0, sizeof(ap.stations[i]));
                memcpy(ap.stations[i].mac, event->u.station.mac, NETMAN_MAC_LEN);
                ap.stations[i].rssi = event->u.station.rssi;
            }
            break;
        case NETMAN_EV_AP_STA_DISCONNECTED:
            i = find_station(event->u.station.mac);
            if (i >= 0) {
                ap.stations[i] = ap.stations[--ap.station_count];
            }
            break;
        case NETMAN_EV_AP_STA_IP_ASSIGNED:
            i = find_station(event->u.station.mac);
            if (i >= 0) {
                ap.stations[i].has_ip = true;
                ap.stations[i].address = event->u.station.address;
            }
            break;
        case NETMAN_EV_RADIO_LOST:
            if (ap.status != NETMAN_AP_INACTIVE) {
                ap.status = NETMAN_AP_FAILED;
                ap.fail_reason = NETMAN_REASON_NO_RADIO;
                ap.station_count = 0;
            }
            break;
        default:
            break;
    }
}

// The running AP's parameters, for a change that leaves some out. Wiped at reset.
static netman_ap_params_t current;

netman_err_t netman_ap_start(const netman_ap_params_t *params) {
    netman_ap_params_t next = *params;
    netman_hal_lock();
    if (next.psk_len == NETMAN_AP_KEEP_PSK) {
        memcpy(next.psk, current.psk, sizeof(next.psk));
        next.psk_len = current.psk_len;
    }
    netman_ap_info_t before = ap;
    memset(&ap, 0, sizeof(ap));
    ap.status = NETMAN_AP_STARTING;
    ap.channel = next.channel;
    netman_hal_unlock();
    netman_err_t err = netman_hal_ap_start(&next);
    netman_hal_lock();
    if (err == NETMAN_OK) {
        current = next;
    } else {
        ap = before; // a refused change leaves the AP as it was
    }
    netman_hal_unlock();
    memset(&next, 0, sizeof(next));
    return err;
}

netman_err_t netman_ap_stop(void) {
    netman_err_t err = netman_hal_ap_stop();
    if (err == NETMAN_OK) {
        netman_ap_reset();
    }
    return err;
}

void netman_ap_reset(void) {
    netman_hal_lock();
    memset(&ap, 0, sizeof(ap));
    memset(&current, 0, sizeof(current));
    netman_hal_unlock();
}

void netman_ap_get_info(netman_ap_info_t *info) {
    netman_hal_lock();
    *info = ap;
    netman_hal_unlock();
}
