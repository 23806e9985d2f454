/*
 * See netman_burst.h.
 */
#include "py/runtime.h"

#include "netman_burst.h"
#include "netman_obj.h"

static MP_DEFINE_CONST_OBJ_TYPE(netman_burst_type, MP_QSTR_burst, MP_TYPE_FLAG_NONE);

void netman_burst_set(netman_burst_t **root, mp_obj_t handler, mp_obj_t arg) {
    netman_burst_t *burst = *root;
    if (burst == NULL) {
        if (handler == MP_OBJ_NULL) {
            return;
        }
        netman_guard(); // the soft reset forgets *root
        burst = mp_obj_malloc(netman_burst_t, &netman_burst_type);
        burst->handler = MP_OBJ_NULL;
        burst->arg = mp_const_none;
        burst->pending = false;
        netman_hal_lock();
        *root = burst;
        netman_hal_unlock();
    }
    netman_hal_lock();
    burst->handler = handler;
    burst->arg = handler == MP_OBJ_NULL ? mp_const_none : arg;
    burst->pending = false;
    netman_hal_unlock();
}

bool netman_burst_arm_locked(netman_burst_t *burst) {
    if (burst == NULL || burst->handler == MP_OBJ_NULL || burst->pending) {
        return false;
    }
    burst->pending = true;
    return true;
}

static mp_obj_t burst_run(mp_obj_t burst_in) {
    netman_burst_t *burst = MP_OBJ_TO_PTR(burst_in);
    // Frames that arrive while the handler runs schedule it again.
    netman_hal_lock();
    burst->pending = false;
    mp_obj_t handler = burst->handler;
    mp_obj_t arg = burst->arg;
    netman_hal_unlock();
    if (handler != MP_OBJ_NULL) {
        mp_call_function_1(handler, arg);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(burst_run_obj, burst_run);

void netman_burst_schedule(netman_burst_t *burst) {
    if (!mp_sched_schedule(MP_OBJ_FROM_PTR(&burst_run_obj), MP_OBJ_FROM_PTR(burst))) {
        netman_hal_lock();
        burst->pending = false; // the scheduler is full: the next frame tries again
        netman_hal_unlock();
    }
}
