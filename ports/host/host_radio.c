/*
 * The host build's radio settings. The air plays the radio, so the port
 * keeps the settings and tells the air all of them whenever one changes: the
 * air hears our transmit power in the RSSI others see, and limits our scans,
 * joins and AP to the country's channels. Like ESP-IDF, the host honours
 * every setting (long range mode included).
 */
#include <string.h>

#include "netman_hal.h"
#include "host_port.h"

// ESP-IDF's defaults: 20 dBm, modem sleep at every DTIM, 802.11b/g/n.
static const netman_radio_t defaults = {
    .txpower_qdbm = 80,
    .channels = 13,
    .power_save = NETMAN_POWER_SAVE_MIN,
    .protocol = NETMAN_PROTOCOL_11B | NETMAN_PROTOCOL_11G | NETMAN_PROTOCOL_11N,
    .bandwidth_mhz = 20,
};

static netman_radio_t current;

void host_radio_reset(void) {
    current = defaults;
}

netman_err_t netman_hal_radio_set(const netman_radio_t *radio) {
    netman_radio_t next = current;
    if (radio->fields & NETMAN_RADIO_TXPOWER) {
        next.txpower_qdbm = radio->txpower_qdbm;
    }
    if (radio->fields & NETMAN_RADIO_COUNTRY) {
        memcpy(next.country, radio->country, sizeof(next.country));
        next.channels = radio->channels;
    }
    if (radio->fields & NETMAN_RADIO_POWER_SAVE) {
        next.power_save = radio->power_save;
    }
    if (radio->fields & NETMAN_RADIO_PROTOCOL) {
        next.protocol = radio->protocol;
    }
    if (radio->fields & NETMAN_RADIO_BANDWIDTH) {
        next.bandwidth_mhz = radio->bandwidth_mhz;
    }
    air_frame_t frame;
    air_frame_begin(&frame, AIR_MSG_RADIO);
    air_frame_put_u8(&frame, (uint8_t)next.txpower_qdbm);
    air_frame_put_u8(&frame, next.channels);
    air_frame_put_u8(&frame, next.power_save);
    air_frame_put_u8(&frame, next.protocol);
    air_frame_put_u8(&frame, next.bandwidth_mhz);
    air_frame_put_str(&frame, next.country, strlen(next.country));
    netman_err_t err = host_send_frame(&frame);
    if (err == NETMAN_OK) {
        current = next;
    }
    return err;
}

netman_err_t netman_hal_radio_get(netman_radio_t *radio) {
    radio->txpower_qdbm = current.txpower_qdbm;
    radio->power_save = current.power_save;
    radio->protocol = current.protocol;
    radio->bandwidth_mhz = current.bandwidth_mhz;
    return NETMAN_OK;
}
