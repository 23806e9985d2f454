/*
 * _netman's sniffer bindings, under netman.sniffer: start/stop, the frame
 * object reads are made into (SnifferFrame: its fields and a bytearray,
 * rewritten in place, so reading a frame allocates nothing), the burst
 * callback, the counters and raw sends.
 */
#include <string.h>

#include "py/mphal.h"
#include "py/objarray.h"
#include "py/runtime.h"
#include "py/smallint.h"

#include "netman_obj.h"

typedef struct {
    mp_obj_base_t base;
    mp_obj_array_t *data;           // a bytearray of `capacity` bytes
    size_t capacity;
    netman_sniffer_meta_t meta;
} sniffer_frame_obj_t;

// SnifferFrame(capacity): an empty frame for recvinto(), holding up to capacity bytes.
static mp_obj_t sniffer_frame_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, 1, false);
    mp_int_t capacity = mp_obj_get_int(args[0]);
    if (capacity < NETMAN_FRAME_MIN || capacity > NETMAN_FRAME_MAX) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("capacity: %d to %d bytes"), NETMAN_FRAME_MIN,
            NETMAN_FRAME_MAX);
    }
    sniffer_frame_obj_t *self = mp_obj_malloc(sniffer_frame_obj_t, type);
    self->capacity = capacity;
    self->data = MP_OBJ_TO_PTR(mp_obj_new_bytearray_by_ref(capacity, m_new0(uint8_t, capacity)));
    self->data->free = capacity;    // empty until a frame is read into it
    self->data->len = 0;
    memset(&self->meta, 0, sizeof(self->meta));
    return MP_OBJ_FROM_PTR(self);
}

static void sniffer_frame_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    if (dest[0] != MP_OBJ_NULL) {
        return; // read-only
    }
    sniffer_frame_obj_t *self = MP_OBJ_TO_PTR(self_in);
    const uint8_t *fc = self->data->items;
    bool empty = self->data->len == 0;
    switch (attr) {
        case MP_QSTR_channel:
            dest[0] = MP_OBJ_NEW_SMALL_INT(self->meta.channel);
            break;
        case MP_QSTR_rssi:
            dest[0] = MP_OBJ_NEW_SMALL_INT(self->meta.rssi);
            break;
        case MP_QSTR_time_ms:
            // As time.ticks_ms() gives it: a small int, so no allocation.
            dest[0] = MP_OBJ_NEW_SMALL_INT(self->meta.time_ms & (MICROPY_PY_TIME_TICKS_PERIOD - 1));
            break;
        case MP_QSTR_length:
            dest[0] = MP_OBJ_NEW_SMALL_INT(self->meta.length);
            break;
        case MP_QSTR_type:
            dest[0] = empty ? mp_const_none : MP_OBJ_NEW_SMALL_INT(netman_frame_type(fc));
            break;
        case MP_QSTR_subtype:
            dest[0] = empty ? mp_const_none : MP_OBJ_NEW_SMALL_INT(netman_frame_subtype(fc));
            break;
        case MP_QSTR_data:
            dest[0] = MP_OBJ_FROM_PTR(self->data);
            break;
        default:
            break;
    }
}

static void sniffer_frame_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    (void)kind;
    sniffer_frame_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_printf(print, "<SnifferFrame channel=%u rssi=%d length=%u kept=%u>", self->meta.channel, self->meta.rssi,
        self->meta.length, (unsigned)self->data->len);
}

MP_DEFINE_CONST_OBJ_TYPE(netman_sniffer_frame_type, MP_QSTR_SnifferFrame, MP_TYPE_FLAG_NONE,
    make_new, sniffer_frame_make_new, attr, sniffer_frame_attr, print, sniffer_frame_print);

static void stop_sniffer(void) {
    if (netman_sniffer_is_active()) {
        netman_hal_sniffer_stop();
    }
    netman_hal_lock();
    netman_sniffer_stop_locked();
    netman_hal_unlock();
}

void netman_sniffer_close(void) {
    stop_sniffer();
    netman_sniffer_set_irq(MP_OBJ_NULL, MP_OBJ_NULL);
}

// sniffer_start(rxbuf, snaplen, types, mgmt_subtypes, ctrl_subtypes, channels, dwell_ms):
// (re)start with a new ring of rxbuf bytes. The facade has validated every value.
static mp_obj_t mod_netman_sniffer_start(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    netman_require_open();
    mp_int_t rxbuf = mp_obj_get_int(args[0]);
    mp_int_t cap = mp_obj_get_int(args[1]);
    if (cap < NETMAN_FRAME_MIN || cap > NETMAN_FRAME_MAX || rxbuf < (mp_int_t)(NETMAN_SNIFFER_RECORD_HEAD + cap)) {
        mp_raise_ValueError(MP_ERROR_TEXT("sniffer: rxbuf must hold one frame of snaplen bytes"));
    }
    netman_sniffer_params_t params;
    memset(&params, 0, sizeof(params));
    params.filter.types = mp_obj_get_int(args[2]);
    params.filter.mgmt_subtypes = mp_obj_get_int(args[3]);
    params.filter.ctrl_subtypes = mp_obj_get_int(args[4]);
    size_t count;
    mp_obj_t *channels;
    mp_obj_get_array(args[5], &count, &channels);
    if (count > NETMAN_SNIFFER_MAX_CHANNELS) {
        mp_raise_ValueError(MP_ERROR_TEXT("sniffer: at most 14 channels"));
    }
    for (size_t i = 0; i < count; i++) {
        params.channels[i] = mp_obj_get_int(channels[i]);
    }
    params.channel_count = count;
    params.dwell_ms = mp_obj_get_int(args[6]);
    stop_sniffer();
    uint8_t *storage = m_new(uint8_t, rxbuf);
    netman_hal_lock();
    netman_sniffer_start_locked(storage, rxbuf, &params.filter, cap);
    netman_hal_unlock();
    netman_err_t err = netman_hal_sniffer_start(&params);
    if (err != NETMAN_OK) {
        netman_hal_lock();
        netman_sniffer_stop_locked();
        netman_hal_unlock();
        netman_check_request(err);
    }
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mod_netman_sniffer_start_obj, 7, 7, mod_netman_sniffer_start);

static mp_obj_t mod_netman_sniffer_stop(void) {
    stop_sniffer();
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_sniffer_stop_obj, mod_netman_sniffer_stop);

static mp_obj_t mod_netman_sniffer_active(void) {
    return mp_obj_new_bool(netman_sniffer_is_active());
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_sniffer_active_obj, mod_netman_sniffer_active);

// sniffer_recvinto(frame) -> bytes kept of the oldest frame, 0 if none waits.
// Nothing is allocated: the frame's fields and bytearray are rewritten.
static mp_obj_t mod_netman_sniffer_recvinto(mp_obj_t frame_in) {
    if (!mp_obj_is_type(frame_in, &netman_sniffer_frame_type)) {
        mp_raise_TypeError(MP_ERROR_TEXT("frame: must be a SnifferFrame"));
    }
    sniffer_frame_obj_t *frame = MP_OBJ_TO_PTR(frame_in);
    netman_sniffer_meta_t meta;
    size_t kept = netman_sniffer_take(&meta, frame->data->items, frame->capacity);
    if (kept != 0) {
        frame->meta = meta;
        frame->data->len = kept;
        frame->data->free = frame->capacity - kept;
    }
    return MP_OBJ_NEW_SMALL_INT(kept);
}
MP_DEFINE_CONST_FUN_OBJ_1(mod_netman_sniffer_recvinto_obj, mod_netman_sniffer_recvinto);

static mp_obj_t mod_netman_sniffer_any(void) {
    return mp_obj_new_bool(netman_sniffer_any());
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_sniffer_any_obj, mod_netman_sniffer_any);

// sniffer_stats() -> (received, dropped, filtered)
static mp_obj_t mod_netman_sniffer_stats(void) {
    netman_sniffer_stats_t s;
    netman_sniffer_get_stats(&s);
    mp_obj_t items[3] = {
        mp_obj_new_int_from_uint(s.received), mp_obj_new_int_from_uint(s.dropped),
        mp_obj_new_int_from_uint(s.filtered),
    };
    return mp_obj_new_tuple(3, items);
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_sniffer_stats_obj, mod_netman_sniffer_stats);

// sniffer_irq(handler, arg): handler(arg) once per burst of frames; None: none.
static mp_obj_t mod_netman_sniffer_irq(mp_obj_t handler, mp_obj_t arg) {
    if (handler != mp_const_none && !mp_obj_is_callable(handler)) {
        mp_raise_TypeError(MP_ERROR_TEXT("irq: callback must be callable or None"));
    }
    netman_sniffer_set_irq(handler == mp_const_none ? MP_OBJ_NULL : handler, arg);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_2(mod_netman_sniffer_irq_obj, mod_netman_sniffer_irq);

// send_raw(frame): one raw 802.11 frame on the radio's channel.
static mp_obj_t mod_netman_send_raw(mp_obj_t frame_in) {
    netman_require_open();
    mp_buffer_info_t frame;
    mp_get_buffer_raise(frame_in, &frame, MP_BUFFER_READ);
    if (frame.len < NETMAN_RAW_MIN || frame.len > NETMAN_RAW_MAX) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("frame: must be %d to %d bytes, got %d"),
            NETMAN_RAW_MIN, NETMAN_RAW_MAX, (int)frame.len);
    }
    netman_check_request(netman_hal_send_raw(frame.buf, frame.len));
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(mod_netman_send_raw_obj, mod_netman_send_raw);
