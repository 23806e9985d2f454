/*
 * Frame encoding and decoding for the air protocol.
 */
#include <string.h>

#include "air_wire.h"

void air_frame_begin(air_frame_t *frame, uint8_t type) {
    frame->len = 4;
    frame->overflow = false;
    air_frame_put_u8(frame, type);
}

void air_frame_put_bytes(air_frame_t *frame, const void *data, size_t len) {
    if (frame->overflow || len > sizeof(frame->data) - frame->len) {
        frame->overflow = true;
        return;
    }
    memcpy(frame->data + frame->len, data, len);
    frame->len += len;
}

void air_frame_put_u8(air_frame_t *frame, uint8_t value) {
    air_frame_put_bytes(frame, &value, 1);
}

void air_frame_put_str(air_frame_t *frame, const void *data, size_t len) {
    if (len > 255) {
        frame->overflow = true;
        return;
    }
    air_frame_put_u8(frame, (uint8_t)len);
    air_frame_put_bytes(frame, data, len);
}

void air_frame_put_ipv4(air_frame_t *frame, uint32_t address) {
    uint8_t b[4] = { address >> 24, address >> 16, address >> 8, address };
    air_frame_put_bytes(frame, b, 4);
}

bool air_frame_finish(air_frame_t *frame) {
    if (frame->overflow) {
        return false;
    }
    uint32_t body = (uint32_t)(frame->len - 4);
    frame->data[0] = body >> 24;
    frame->data[1] = body >> 16;
    frame->data[2] = body >> 8;
    frame->data[3] = body;
    return true;
}

void air_reader_init(air_reader_t *reader, const uint8_t *body, size_t len) {
    reader->pos = body;
    reader->left = len;
    reader->bad = false;
}

void air_get_bytes(air_reader_t *reader, void *out, size_t len) {
    if (reader->bad || len > reader->left) {
        reader->bad = true;
        memset(out, 0, len);
        return;
    }
    memcpy(out, reader->pos, len);
    reader->pos += len;
    reader->left -= len;
}

uint8_t air_get_u8(air_reader_t *reader) {
    uint8_t value;
    air_get_bytes(reader, &value, 1);
    return value;
}

uint32_t air_get_ipv4(air_reader_t *reader) {
    uint8_t b[4];
    air_get_bytes(reader, b, 4);
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

size_t air_get_str(air_reader_t *reader, void *out, size_t max) {
    size_t len = air_get_u8(reader);
    if (len > max) {
        reader->bad = true;
        return 0;
    }
    air_get_bytes(reader, out, len);
    return reader->bad ? 0 : len;
}

bool air_reader_done(const air_reader_t *reader) {
    return !reader->bad && reader->left == 0;
}
