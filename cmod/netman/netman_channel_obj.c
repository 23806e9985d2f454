/*
 * _netman's channel bindings: the channel the radio is on, and the one it
 * takes while the station is not joined.
 */
#include "py/runtime.h"

#include "netman_obj.h"

static mp_obj_t mod_netman_radio_channel(void) {
    netman_require_open();
    return MP_OBJ_NEW_SMALL_INT(netman_channel());
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_radio_channel_obj, mod_netman_radio_channel);

// set_channel(channel): 1 to 13, checked by the facade.
static mp_obj_t mod_netman_set_channel(mp_obj_t channel_in) {
    netman_require_open();
    mp_int_t channel = mp_obj_get_int(channel_in);
    if (channel < 1 || channel > 13) {
        mp_raise_ValueError(MP_ERROR_TEXT("channel: must be 1 to 13"));
    }
    netman_check_request(netman_channel_set((uint8_t)channel));
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(mod_netman_set_channel_obj, mod_netman_set_channel);
