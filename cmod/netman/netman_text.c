/*
 * See netman_text.h.
 */
#include <string.h>

#include "netman_text.h"

// Length of the well-formed UTF-8 sequence at p (at most `left` bytes), or 0.
static size_t sequence_length(const uint8_t *p, size_t left) {
    uint8_t lead = p[0];
    size_t n;
    uint8_t low = 0x80, high = 0xbf; // allowed range of the second byte
    if (lead < 0x80) {
        return 1;
    } else if (lead >= 0xc2 && lead <= 0xdf) {
        n = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        n = 3;
        low = lead == 0xe0 ? 0xa0 : 0x80;   // no overlongs
        high = lead == 0xed ? 0x9f : 0xbf;  // no surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        n = 4;
        low = lead == 0xf0 ? 0x90 : 0x80;   // no overlongs
        high = lead == 0xf4 ? 0x8f : 0xbf;  // nothing beyond U+10FFFF
    } else {
        return 0;
    }
    if (left < n || p[1] < low || p[1] > high) {
        return 0;
    }
    for (size_t i = 2; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
    }
    return n;
}

size_t netman_utf8_sanitize(const uint8_t *in, size_t len, uint8_t *out) {
    static const uint8_t replacement[3] = { 0xef, 0xbf, 0xbd };
    size_t written = 0;
    for (size_t i = 0; i < len;) {
        size_t n = sequence_length(in + i, len - i);
        if (n == 0) {
            memcpy(out + written, replacement, sizeof(replacement));
            written += sizeof(replacement);
            i++;
        } else {
            memcpy(out + written, in + i, n);
            written += n;
            i += n;
        }
    }
    return written;
}
