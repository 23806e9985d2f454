/*
 * The checks of netman_event_check.h.
 */
#include "netman_event_check.h"

static bool channel_valid(uint8_t channel) {
    return channel >= 1 && channel <= NETMAN_CHANNEL_MAX;
}

// 0.0.0.0 and 255.255.255.255 are nobody's address.
static bool address_valid(uint32_t address) {
    return address != 0 && address != UINT32_MAX;
}

static bool service_reason_valid(uint8_t reason) {
    return reason != NETMAN_REASON_NONE && reason < NETMAN_REASON_COUNT && !netman_reason_ends_connection(reason);
}

bool netman_reason_ends_connection(uint8_t reason) {
    return (reason >= NETMAN_REASON_AUTH_FAILED && reason <= NETMAN_REASON_NO_RADIO)
           || reason == NETMAN_REASON_JOIN_REFUSED;
}

bool netman_event_valid(const netman_event_t *e) {
    switch (e->kind) {
        case NETMAN_EV_STA_CONNECTED:
            return channel_valid(e->u.assoc.channel) && e->u.assoc.authmode < NETMAN_AUTH_COUNT;
        case NETMAN_EV_STA_GOT_IP:
            return address_valid(e->u.ip.address);
        case NETMAN_EV_STA_DISCONNECTED:
            return netman_reason_ends_connection(e->u.reason);
        case NETMAN_EV_SCAN_DONE:
            return e->u.scan_status <= NETMAN_SCAN_CANCELED;
        case NETMAN_EV_STA_CHANNEL:
        case NETMAN_EV_AP_CHANNEL:
        case NETMAN_EV_RADIO_CHANNEL:
            return channel_valid(e->u.channel);
        case NETMAN_EV_AP_STARTED:
            return address_valid(e->u.ap.address) && channel_valid(e->u.ap.channel);
        case NETMAN_EV_AP_FAILED:
        case NETMAN_EV_SNTP_FAILED:
            return service_reason_valid(e->u.reason);
        case NETMAN_EV_AP_STA_IP_ASSIGNED:
            return address_valid(e->u.station.address);
        case NETMAN_EV_SNTP_SYNC:
            return e->u.sntp.tv_usec < 1000000;
        case NETMAN_EV_MDNS_NAME:
            return e->u.mdns_suffix != 1;
        case NETMAN_EV_STA_BEACON_TIMEOUT:
        case NETMAN_EV_RADIO_LOST:
        case NETMAN_EV_TIMER:
        case NETMAN_EV_AP_STA_CONNECTED:
        case NETMAN_EV_AP_STA_DISCONNECTED:
        case NETMAN_EV_ESPNOW_SENT:
            return true;
        default:
            // NETMAN_EV_TICK included: the core makes it, no port.
            return false;
    }
}

bool netman_scan_result_valid(const netman_scan_result_t *r) {
    return channel_valid(r->channel) && r->authmode < NETMAN_AUTH_COUNT && r->ssid_len <= NETMAN_SSID_MAX;
}
