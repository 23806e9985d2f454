/*
 * SSIDs as text (netman_text.c): any bytes become valid UTF-8, valid UTF-8
 * is kept as it is.
 */
// sources: cmod/netman/netman_text.c
// include: cmod/netman
#include <stdbool.h>
#include <string.h>

#include "check.h"
#include "netman_text.h"

static bool sanitizes_to(const char *in, size_t len, const char *want) {
    uint8_t out[NETMAN_UTF8_SANITIZED_MAX(64)];
    size_t n = netman_utf8_sanitize((const uint8_t *)in, len, out);
    return n == strlen(want) && memcmp(out, want, n) == 0;
}

// A strict decoder, to check every output of the sanitizer is well-formed.
static bool well_formed(const uint8_t *p, size_t len) {
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n;
        if (p[i] < 0x80) {
            cp = p[i], n = 1;
        } else if ((p[i] & 0xe0) == 0xc0) {
            cp = p[i] & 0x1f, n = 2;
        } else if ((p[i] & 0xf0) == 0xe0) {
            cp = p[i] & 0x0f, n = 3;
        } else if ((p[i] & 0xf8) == 0xf0) {
            cp = p[i] & 0x07, n = 4;
        } else {
            return false;
        }
        if (i + n > len) {
            return false;
        }
        for (size_t k = 1; k < n; k++) {
            if ((p[i + k] & 0xc0) != 0x80) {
                return false;
            }
            cp = cp << 6 | (p[i + k] & 0x3f);
        }
        static const uint32_t least[5] = { 0, 0, 0x80, 0x800, 0x10000 };
        if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return false;
        }
        i += n;
    }
    return true;
}

int main(void) {
    CHECK(sanitizes_to("home", 4, "home"));
    CHECK(sanitizes_to("", 0, ""));
    CHECK(sanitizes_to("caf\xc3\xa9", 5, "caf\xc3\xa9"));           // é in UTF-8 stays
    CHECK(sanitizes_to("caf\xe9", 4, "caf\xef\xbf\xbd"));           // Latin-1 é: U+FFFD
    CHECK(sanitizes_to("\xf0\x9f\x93\xb6", 4, "\xf0\x9f\x93\xb6")); // an emoji stays
    CHECK(sanitizes_to("\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd"));  // overlong '/'
    CHECK(sanitizes_to("\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd")); // a surrogate
    CHECK(sanitizes_to("\xf4\x90\x80\x80", 4,
        "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"));       // beyond U+10FFFF
    CHECK(sanitizes_to("ab\xe2\x82", 4, "ab\xef\xbf\xbd\xef\xbf\xbd")); // cut short
    // NUL is a byte like any other: lengths are counted, nothing is cut.
    uint8_t nul[3] = { 'a', 0, 'b' }, nul_out[9];
    CHECK(netman_utf8_sanitize(nul, 3, nul_out) == 3 && memcmp(nul, nul_out, 3) == 0);

    // Every 32-byte SSID of one repeated byte, and a pseudo-random sweep.
    uint8_t in[32], out[NETMAN_UTF8_SANITIZED_MAX(32)];
    for (int b = 0; b < 256; b++) {
        memset(in, b, sizeof(in));
        size_t n = netman_utf8_sanitize(in, sizeof(in), out);
        CHECK(n <= sizeof(out) && well_formed(out, n));
    }
    uint32_t x = 12345;
    for (int round = 0; round < 200000; round++) {
        size_t len = round % 33;
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            in[i] = (uint8_t)x;
        }
        size_t n = netman_utf8_sanitize(in, len, out);
        CHECK(n <= NETMAN_UTF8_SANITIZED_MAX(len) && well_formed(out, n));
        // Well-formed input comes out unchanged.
        if (well_formed(in, len)) {
            CHECK(n == len && memcmp(in, out, len) == 0);
        }
    }
    CHECK_DONE();
}
