/*
 * The host build's sniffer and raw frames: the air plays the radio in
 * promiscuous mode. SNIFF tells it the channels (and the dwell while it
 * hops) and the frame types wanted; it sends every 802.11 frame heard there
 * as SNIFF_RX, which goes straight into the core's ring. RAW_TX hands it a
 * frame to put on the air on the device's channel.
 */

#include "netman_hal.h"
#include "host_port.h"

// SNIFF: on, types, dwell_ms (big endian), channels.
static netman_err_t send_sniff(bool on, const netman_sniffer_params_t *params) {
    air_frame_t frame;
    air_frame_begin(&frame, AIR_MSG_SNIFF);
    air_frame_put_u8(&frame, on);
    air_frame_put_u8(&frame, params->filter.types);
    air_frame_put_u8(&frame, params->dwell_ms >> 8);
    air_frame_put_u8(&frame, params->dwell_ms & 0xff);
    air_frame_put_str(&frame, params->channels, params->channel_count);
    return host_send_frame(&frame);
}

netman_err_t netman_hal_sniffer_start(const netman_sniffer_params_t *params) {
    return send_sniff(true, params);
}

void netman_hal_sniffer_stop(void) {
    static const netman_sniffer_params_t none;
    send_sniff(false, &none); // a radio already gone hears nothing anyway
}

netman_err_t netman_hal_send_raw(const uint8_t *data, size_t len) {
    air_frame_t frame;
    air_frame_begin(&frame, AIR_MSG_RAW_TX);
    air_frame_put_u8(&frame, (uint8_t)(len >> 8));
    air_frame_put_u8(&frame, (uint8_t)len);
    air_frame_put_bytes(&frame, data, len);
    return host_send_frame(&frame);
}

void host_sniffer_rx(air_reader_t *reader) {
    // channel:u8 rssi:i8 length:u16 frame: read in place (the I/O thread's
    // frame buffer), nothing copied before the core's ring.
    uint8_t channel = air_get_u8(reader);
    int8_t rssi = (int8_t)air_get_u8(reader);
    size_t len = (size_t)air_get_u8(reader) << 8;
    len |= air_get_u8(reader);
    if (reader->bad || len != reader->left) {
        return;
    }
    netman_core_sniffer_rx(channel, rssi, reader->pos, len);
}
