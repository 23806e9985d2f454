/*
 * The host build's wire protocol to the air simulator (docs/netsim-protocol.md):
 * frames of a 4-byte big-endian length, a type byte and a type-specific body.
 * Fixed buffers only: encoding and decoding never allocate.
 */
#ifndef NETMAN_AIR_WIRE_H
#define NETMAN_AIR_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AIR_PROTOCOL_VERSION (3)
#define AIR_FRAME_MAX (4096)    // type byte + body

enum {
    // device -> air
    AIR_MSG_HELLO = 0x01,
    AIR_MSG_BYE = 0x02,
    AIR_MSG_STA_CONNECT = 0x10,
    AIR_MSG_STA_DISCONNECT = 0x11,
    AIR_MSG_SCAN = 0x12,
    AIR_MSG_AP_START = 0x13,
    AIR_MSG_MDNS_CLAIM = 0x14,
    AIR_MSG_MDNS_RELEASE = 0x15,
    AIR_MSG_ESPNOW_ACTIVE = 0x16,
    AIR_MSG_ESPNOW_SEND = 0x17,
    AIR_MSG_RADIO = 0x18,
    AIR_MSG_AP_STOP = 0x19,
    AIR_MSG_SET_CHANNEL = 0x1a,
    AIR_MSG_SNIFF = 0x20,
    AIR_MSG_RAW_TX = 0x21,
    AIR_MSG_STA_EAP = 0x22,
    AIR_MSG_SCAN_ABORT = 0x70,
    // air -> device
    AIR_MSG_WELCOME = 0x81,
    AIR_MSG_STA_CONNECTED = 0x90,
    AIR_MSG_STA_GOT_IP = 0x91,
    AIR_MSG_STA_DISCONNECTED = 0x92,
    AIR_MSG_STA_BEACON_TIMEOUT = 0x93,
    AIR_MSG_STA_RSSI = 0x94,
    AIR_MSG_SCAN_RESULT = 0x95,
    AIR_MSG_SCAN_DONE = 0x96,
    AIR_MSG_STA_CHANNEL = 0x97,
    AIR_MSG_MDNS_NAME = 0x98,
    AIR_MSG_ESPNOW_RX = 0x99,
    AIR_MSG_ESPNOW_SENT = 0x9a,
    AIR_MSG_RADIO_CHANNEL = 0x9b,
    AIR_MSG_SCAN_ABORTED = 0xf0,
    AIR_MSG_DRIVER_BUSY = 0xf1,
    AIR_MSG_AP_STARTED = 0xa0,
    AIR_MSG_AP_FAILED = 0xa1,
    AIR_MSG_AP_CHANNEL = 0xa2,
    AIR_MSG_AP_STA_CONNECTED = 0xa3,
    AIR_MSG_AP_STA_DISCONNECTED = 0xa4,
    AIR_MSG_AP_STA_IP_ASSIGNED = 0xa5,
    AIR_MSG_SNIFF_RX = 0xb0,
    AIR_MSG_ERROR = 0xff,
};

typedef struct {
    uint8_t data[4 + AIR_FRAME_MAX];
    size_t len;
    bool overflow;
} air_frame_t;

void air_frame_begin(air_frame_t *frame, uint8_t type);
void air_frame_put_u8(air_frame_t *frame, uint8_t value);
void air_frame_put_bytes(air_frame_t *frame, const void *data, size_t len);
// A string: one length byte, then the bytes (at most 255).
void air_frame_put_str(air_frame_t *frame, const void *data, size_t len);
void air_frame_put_ipv4(air_frame_t *frame, uint32_t address);
// Fill in the length prefix; false if the body did not fit.
bool air_frame_finish(air_frame_t *frame);

typedef struct {
    const uint8_t *pos;
    size_t left;
    bool bad;                   // read past the end, or a string too long
} air_reader_t;

void air_reader_init(air_reader_t *reader, const uint8_t *body, size_t len);
uint8_t air_get_u8(air_reader_t *reader);
void air_get_bytes(air_reader_t *reader, void *out, size_t len);
uint32_t air_get_ipv4(air_reader_t *reader);
// Copy a string into out (capacity max, not terminated); returns its length.
size_t air_get_str(air_reader_t *reader, void *out, size_t max);
// True when the body was consumed exactly and nothing was malformed.
bool air_reader_done(const air_reader_t *reader);

#endif // NETMAN_AIR_WIRE_H
