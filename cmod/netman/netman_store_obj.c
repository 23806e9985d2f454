/*
 * _netman's persistent store bindings: one small blob (the facade keeps the
 * credentials in it), wherever the port keeps such things.
 */
#include <string.h>

#include "py/runtime.h"

#include "netman_obj.h"

// store_read() -> bytes, or None when nothing is stored.
static mp_obj_t mod_netman_store_read(void) {
    uint8_t buf[NETMAN_STORE_MAX];
    size_t len = 0;
    netman_err_t err = netman_hal_store_read(buf, sizeof(buf), &len);
    if (err == NETMAN_ERR_STATE) {
        return mp_const_none;
    }
    if (err != NETMAN_OK) {
        netman_raise(MP_QSTR_storage_failed, netman_hal_last_error());
    }
    return mp_obj_new_bytes(buf, len);
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_store_read_obj, mod_netman_store_read);

static mp_obj_t mod_netman_store_write(mp_obj_t data) {
    mp_buffer_info_t blob;
    mp_get_buffer_raise(data, &blob, MP_BUFFER_READ);
    if (blob.len > NETMAN_STORE_MAX) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("credentials: at most %d bytes in all"), NETMAN_STORE_MAX);
    }
    if (netman_hal_store_write(blob.buf, blob.len) != NETMAN_OK) {
        netman_raise(MP_QSTR_storage_failed, netman_hal_last_error());
    }
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(mod_netman_store_write_obj, mod_netman_store_write);

static mp_obj_t mod_netman_store_erase(void) {
    if (netman_hal_store_erase() != NETMAN_OK) {
        netman_raise(MP_QSTR_storage_failed, netman_hal_last_error());
    }
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_store_erase_obj, mod_netman_store_erase);

static mp_obj_t mod_netman_store_location(void) {
    const char *where = netman_hal_store_location();
    return mp_obj_new_str(where, strlen(where));
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_store_location_obj, mod_netman_store_location);
