/*
 * _netman's WPA2-Enterprise binding: the credentials go from the facade
 * straight into the core's block (netman_eap.c); Python keeps no copy of the
 * password or the key.
 */
#include <string.h>

#include "py/runtime.h"

#include "netman_obj.h"

static void field(netman_eap_field_t *out, mp_obj_t value) {
    out->data = NULL;
    out->len = 0;
    if (value != mp_const_none) {
        mp_buffer_info_t buf;
        mp_get_buffer_raise(value, &buf, MP_BUFFER_READ);
        if (buf.len > 0xffff) {
            mp_raise_ValueError(MP_ERROR_TEXT("eap: a field is at most 65535 bytes"));
        }
        out->data = buf.buf;
        out->len = buf.len;
    }
}

// sta_eap(method, identity, username, password, ca_cert, client_cert,
// client_key, key_password): the station's credentials for its next joins
// (method 0: none, a PSK or open network). The facade has validated them.
static mp_obj_t mod_netman_sta_eap(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    netman_require_open();
    netman_eap_t given;
    memset(&given, 0, sizeof(given));
    given.method = mp_obj_get_int(args[0]);
    field(&given.identity, args[1]);
    field(&given.username, args[2]);
    field(&given.password, args[3]);
    field(&given.ca_cert, args[4]);
    field(&given.client_cert, args[5]);
    field(&given.client_key, args[6]);
    field(&given.key_password, args[7]);
    const netman_eap_t *stored = netman_eap_store(&given);
    netman_sta_params_t params;
    netman_sta_get_params(&params);
    params.eap = stored;
    netman_sta_set_params(&params);
    memset(&params, 0, sizeof(params)); // it held the PSK
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mod_netman_sta_eap_obj, 8, 8, mod_netman_sta_eap);
