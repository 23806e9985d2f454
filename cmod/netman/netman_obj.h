/*
 * Helpers shared by the core's MicroPython-facing files.
 */
#ifndef NETMAN_OBJ_H
#define NETMAN_OBJ_H

#include "py/obj.h"

#include "netman_hal.h"

// MicroPython 1.25 spells it NORETURN; later releases MP_NORETURN.
#ifndef MP_NORETURN
#define MP_NORETURN NORETURN
#endif

// The short reason string ("auth_failed", ...) of a netman_reason_t.
qstr netman_reason_qstr(uint8_t reason);
// The Python callable that receives (kind, arg) for every event.
void netman_core_set_dispatcher(mp_obj_t dispatcher);

#endif // NETMAN_OBJ_H
