/*
 * Text that comes from the air: an SSID is any 0-32 bytes, not necessarily
 * UTF-8. Plain C (no MicroPython), tested on the host over hostile input.
 */
#ifndef NETMAN_TEXT_H
#define NETMAN_TEXT_H

#include <stddef.h>
#include <stdint.h>

// Room netman_utf8_sanitize() needs for `len` input bytes.
#define NETMAN_UTF8_SANITIZED_MAX(len) (3 * (len))

// Copy `in` to `out` as valid UTF-8: each byte that does not start a
// well-formed sequence (RFC 3629: no overlongs, surrogates or code points
// beyond U+10FFFF) becomes U+FFFD. Returns the length written.
size_t netman_utf8_sanitize(const uint8_t *in, size_t len, uint8_t *out);

#endif // NETMAN_TEXT_H
