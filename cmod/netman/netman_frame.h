/*
 * What an 802.11 frame is, from its frame control field (IEEE 802.11-2020,
 * 9.2.4.1), and whether a sniffer's filter takes it. Plain C (no
 * MicroPython header): the host tests load it on its own.
 */
#ifndef NETMAN_FRAME_H
#define NETMAN_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Frame types, as bits of a filter (the type field's value is the bit's index).
#define NETMAN_FRAME_MGMT (1 << 0)
#define NETMAN_FRAME_CTRL (1 << 1)
#define NETMAN_FRAME_DATA (1 << 2)
#define NETMAN_FRAME_ALL (NETMAN_FRAME_MGMT | NETMAN_FRAME_CTRL | NETMAN_FRAME_DATA)

// The shortest frame a radio passes on (an ACK or CTS: control field,
// duration, one address) and the longest MPDU without its FCS.
#define NETMAN_FRAME_MIN (10)
#define NETMAN_FRAME_MAX (2346)
// What a device may send raw (Pycom's send_raw, ESP-IDF's esp_wifi_80211_tx).
#define NETMAN_RAW_MIN (24)
#define NETMAN_RAW_MAX (1500)

typedef struct {
    uint8_t types;                  // NETMAN_FRAME_* bits
    uint16_t mgmt_subtypes;         // bit n: management subtype n
    uint16_t ctrl_subtypes;         // bit n: control subtype n
} netman_frame_filter_t;

// The type (0 management, 1 control, 2 data, 3 extension) and subtype of a frame.
static inline uint8_t netman_frame_type(const uint8_t *frame) {
    return (frame[0] >> 2) & 3;
}
static inline uint8_t netman_frame_subtype(const uint8_t *frame) {
    return frame[0] >> 4;
}

// Whether the filter takes the frame of `len` bytes.
bool netman_frame_accepts(const netman_frame_filter_t *filter, const uint8_t *frame, size_t len);

#endif // NETMAN_FRAME_H
