/*
 * The credential blob as a file on the board's filesystem (littlefs or FAT,
 * whatever is mounted at /), through MicroPython's VFS. A write goes to a
 * temporary file renamed over the old one, so a reset mid-write leaves the
 * old blob or the new one.
 */
#include <string.h>

#include "py/builtin.h"
#include "py/mperrno.h"
#include "py/runtime.h"
#include "py/stream.h"
#include "extmod/vfs.h"

#include "rp2_port.h"

#define STORE_PATH "/netman.cred"
#define STORE_TEMP "/netman.cred.tmp"

const char *netman_hal_store_location(void) {
    return "file " STORE_PATH " on the board's filesystem";
}

// The errno of the OSError the VFS raised (littlefs and FAT raise OSError with
// an MP_E* code: extmod/vfs_lfsx.c, extmod/vfs_fat.c), or 0 for anything else.
static int os_error_of(void *exception) {
    mp_obj_t exc = MP_OBJ_FROM_PTR(exception);
    if (!mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(mp_obj_get_type(exc)), MP_OBJ_FROM_PTR(&mp_type_OSError))) {
        return 0;
    }
    mp_int_t code;
    return mp_obj_get_int_maybe(mp_obj_exception_get_value(exc), &code) ? (int)code : 0;
}

// Constant texts, so that no buffer is kept for them.
#define STORE_FAILURE(what, why) what " " STORE_PATH ": " why
static const struct {
    int os_error;
    const char *write;
    const char *read;
} store_failures[] = {
    { MP_ENOSPC, STORE_FAILURE("cannot write", "no space left on the filesystem (ENOSPC)"),
      STORE_FAILURE("cannot read", "no space left on the filesystem (ENOSPC)") },
    { MP_EROFS, STORE_FAILURE("cannot write", "the filesystem is read-only (EROFS)"),
      STORE_FAILURE("cannot read", "the filesystem is read-only (EROFS)") },
    { MP_ENODEV, STORE_FAILURE("cannot write", "no filesystem mounted at / (ENODEV)"),
      STORE_FAILURE("cannot read", "no filesystem mounted at / (ENODEV)") },
    { MP_EIO, STORE_FAILURE("cannot write", "flash I/O error (EIO)"), STORE_FAILURE("cannot read", "flash I/O error (EIO)") },
    { 0, STORE_FAILURE("cannot write", "OS error"), STORE_FAILURE("cannot read", "OS error") },
};

static netman_err_t store_fail(bool writing, int os_error) {
    size_t i = 0;
    while (store_failures[i].os_error != 0 && store_failures[i].os_error != os_error) {
        i++;
    }
    return rp2_fail(NETMAN_ERR_IO, writing ? store_failures[i].write : store_failures[i].read);
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
            // mp_stream_rw stops without an error when nothing more was
            // written (py/stream.c): the filesystem is full.
            mp_raise_OSError(errcode != 0 ? errcode : MP_ENOSPC);
        }
        mp_vfs_rename(mp_obj_new_str_from_cstr(STORE_TEMP), mp_obj_new_str_from_cstr(STORE_PATH));
        nlr_pop();
        return NETMAN_OK;
    }
    int os_error = os_error_of(nlr.ret_val);
    // A half-written temporary file only takes space: remove it if it is there.
    if (nlr_push(&nlr) == 0) {
        mp_vfs_remove(mp_obj_new_str_from_cstr(STORE_TEMP));
        nlr_pop();
    }
    return store_fail(true, os_error);
}

netman_err_t netman_hal_store_read(uint8_t *buf, size_t max, size_t *len) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t file = open_file(STORE_PATH, "rb");
        int errcode;
        *len = mp_stream_rw(file, buf, max, &errcode, MP_STREAM_RW_READ);
        mp_stream_close(file);
        if (errcode != 0) {
            mp_raise_OSError(errcode);
        }
        nlr_pop();
        return NETMAN_OK;
    }
    int os_error = os_error_of(nlr.ret_val);
    if (os_error == MP_ENOENT) {
        return rp2_fail(NETMAN_ERR_STATE, "nothing stored in " STORE_PATH);
    }
    return store_fail(false, os_error);
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
