/*
 * A callback scheduled once per burst: the first frame into an empty ring
 * schedules handler(arg) on the MicroPython thread; frames that arrive before
 * it runs join that call; those arriving while it runs schedule the next.
 *
 * Each user keeps one netman_burst_t for the life of the VM in a root
 * pointer (made on first use, never replaced, cleared when the VM ends), so
 * driver context always finds a live object; setting a handler only changes
 * its fields.
 */
#ifndef NETMAN_BURST_H
#define NETMAN_BURST_H

#include "py/obj.h"

typedef struct {
    mp_obj_base_t base;
    mp_obj_t handler;               // MP_OBJ_NULL: none
    mp_obj_t arg;
    bool pending;                   // under the HAL lock
} netman_burst_t;

// Set (MP_OBJ_NULL: clear) the handler of the burst *root points to, making it first.
void netman_burst_set(netman_burst_t **root, mp_obj_t handler, mp_obj_t arg);
// Under the HAL lock, from any context: true when the caller must call
// netman_burst_schedule() (outside the lock). burst may be NULL.
bool netman_burst_arm_locked(netman_burst_t *burst);
void netman_burst_schedule(netman_burst_t *burst);

#endif // NETMAN_BURST_H
