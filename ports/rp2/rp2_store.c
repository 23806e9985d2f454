/*
 * The credential blob as a file on the board's filesystem (littlefs or FAT,
 * whatever is mounted at /), through MicroPython's VFS. A write goes to a
 * temporary file renamed over the old one, so a reset mid-write leaves the
 * old blob or the new one.
 */
#include <string.h>

#include "py/builtin.h"
#include "py/runtime.h"
#include "py/stream.h"
#include "extmod/vfs.h"

#include "rp2_port.h"

#define STORE_PATH "/netman.cred"
#define STORE_TEMP "/netman.cred.tmp"

const char *netman_hal_store_location(void) {
    return "file " STORE_PATH " on the board's filesystem";
}

static mp_obj_t open_file(const char *path, const char *mode) {
    mp_obj_t args[2] = { mp_obj_new_str_from_cstr(path), mp_obj_new_str_from_cstr(mode) };
    return mp_vfs_open(2, args, (mp_map_t *)&mp_const_empty_map);
}

netman_err_t netman_hal_store_write(const uint8_t *data, size_t len) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t file = open_file(STORE_TEMP, "wb");
        int errcode;
        mp_uint_t written = mp_stream_rw(file, (void *)data, len, &errcode, MP_STREAM_RW_WRITE);
        mp_stream_close(file);
        if (written != len) {
            mp_raise_OSError(errcode);
        }
        mp_vfs_rename(mp_obj_new_str_from_cstr(STORE_TEMP), mp_obj_new_str_from_cstr(STORE_PATH));
        nlr_pop();
        return NETMAN_OK;
    }
    return rp2_fail(NETMAN_ERR_IO, "cannot write " STORE_PATH);
}

netman_err_t netman_hal_store_read(uint8_t *buf, size_t max, size_t *len) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t file = open_file(STORE_PATH, "rb");
        int errcode;
        *len = mp_stream_rw(file, buf, max, &errcode, MP_STREAM_RW_READ);
        mp_stream_close(file);
        nlr_pop();
        return NETMAN_OK;
    }
    // No file (or an unreadable one) is nothing stored.
    return rp2_fail(NETMAN_ERR_STATE, "nothing stored in " STORE_PATH);
}

netman_err_t netman_hal_store_erase(void) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_vfs_remove(mp_obj_new_str_from_cstr(STORE_PATH));
        nlr_pop();
    }
    // Nothing to remove is erased too.
    return NETMAN_OK;
}
