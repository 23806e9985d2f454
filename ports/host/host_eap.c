/*
 * WPA2-Enterprise in the host build: the air plays the AP and its RADIUS
 * server, so before an 802.1X join the port tells it the credentials
 * (STA_EAP): method, identities and password as the driver would use them,
 * and of the certificates only their SHA-256 (the air matches accounts and
 * the server's CA by it) and whether a key was given. Like the PSK, the
 * password never reaches a log.
 */
#include <string.h>

#include "mbedtls/sha256.h"
#include "mbedtls/version.h"

#include "netman_hal.h"
#include "host_port.h"

static void put_digest(air_frame_t *frame, const netman_eap_field_t *field) {
    uint8_t digest[32] = {0};
    if (field->len != 0) {
        #if MBEDTLS_VERSION_NUMBER >= 0x03000000
        mbedtls_sha256(field->data, field->len, digest, 0);
        #else
        mbedtls_sha256_ret(field->data, field->len, digest, 0);
        #endif
    }
    air_frame_put_u8(frame, field->len != 0);
    air_frame_put_bytes(frame, digest, sizeof(digest));
}

netman_err_t host_eap_send(const netman_eap_t *eap) {
    air_frame_t frame;
    air_frame_begin(&frame, AIR_MSG_STA_EAP);
    air_frame_put_u8(&frame, eap->method);
    air_frame_put_str(&frame, eap->identity.data, eap->identity.len);
    air_frame_put_str(&frame, eap->username.data, eap->username.len);
    air_frame_put_str(&frame, eap->password.data, eap->password.len);
    put_digest(&frame, &eap->ca_cert);
    put_digest(&frame, &eap->client_cert);
    air_frame_put_u8(&frame, eap->client_key.len != 0);
    netman_err_t err = host_send_frame(&frame);
    memset(&frame, 0, sizeof(frame)); // it held the password
    return err;
}
