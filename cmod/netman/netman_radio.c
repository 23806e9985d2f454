/*
 * Radio settings in the core: the country netman set (and so the channels
 * scans and our AP may use) is kept here; everything else is the driver's,
 * read back from the port.
 */
#include <string.h>

#include "netman_core.h"

// The channels an AP, a scan or a join may use while netman set no country:
// the driver's defaults apply, netman limits nothing beyond 1-13.
#define UNLIMITED_CHANNELS (13)

static char country[3];
static uint8_t channels = UNLIMITED_CHANNELS;

netman_err_t netman_radio_set(const netman_radio_t *radio) {
    netman_err_t err = netman_hal_radio_set(radio);
    if (err == NETMAN_OK && (radio->fields & NETMAN_RADIO_COUNTRY)) {
        netman_hal_lock();
        memcpy(country, radio->country, sizeof(country));
        channels = radio->channels;
        netman_hal_unlock();
    }
    return err;
}

netman_err_t netman_radio_get(netman_radio_t *radio) {
    memset(radio, 0, sizeof(*radio));
    netman_err_t err = netman_hal_radio_get(radio);
    netman_hal_lock();
    memcpy(radio->country, country, sizeof(country));
    radio->channels = channels;
    netman_hal_unlock();
    return err;
}

uint8_t netman_radio_channels_locked(void) {
    return channels;
}

void netman_radio_reset(void) {
    netman_hal_lock();
    memset(country, 0, sizeof(country));
    channels = UNLIMITED_CHANNELS;
    netman_hal_unlock();
}
