/*
 * The radio's channel. One radio: while the station is joined it is on its
 * AP's channel, else on our AP's, else on the idle channel the application
 * chose (or the driver started on). ESP-NOW peers are checked against it.
 */
#include "netman_core.h"

#define DEFAULT_CHANNEL (1)

static uint8_t idle_channel = DEFAULT_CHANNEL;

void netman_channel_apply_locked(const netman_event_t *event) {
    if (event->kind == NETMAN_EV_RADIO_CHANNEL && event->u.channel >= 1 && event->u.channel <= 14) {
        idle_channel = event->u.channel;
    }
}

void netman_channel_reset(void) {
    netman_hal_lock();
    idle_channel = DEFAULT_CHANNEL;
    netman_hal_unlock();
}

uint8_t netman_channel(void) {
    netman_sta_info_t sta;
    netman_ap_info_t ap;
    netman_sta_get_info(&sta);
    netman_ap_get_info(&ap);
    if (sta.associated) {
        return sta.assoc.channel;
    }
    if (ap.status == NETMAN_AP_STARTED) {
        return ap.channel;
    }
    netman_hal_lock();
    uint8_t channel = idle_channel;
    netman_hal_unlock();
    return channel;
}

netman_err_t netman_channel_set(uint8_t channel) {
    netman_err_t err = netman_hal_set_channel(channel);
    if (err == NETMAN_OK) {
        // The driver took it (its RADIO_CHANNEL confirms): read back at once,
        // as esp_wifi_get_channel() would.
        netman_hal_lock();
        idle_channel = channel;
        netman_hal_unlock();
    }
    return err;
}
