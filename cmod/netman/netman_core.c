/*
 * Event flow: ports post events from driver context; the core applies them to
 * the state machine, queues a copy and asks the MicroPython thread (through
 * mp_sched_schedule) to drain the queue into the one Python dispatcher.
 */
#include "py/runtime.h"

#include "netman_core.h"
#include "netman_event_check.h"
#include "netman_obj.h"

MP_REGISTER_ROOT_POINTER(mp_obj_t netman_dispatcher);

static mp_obj_t netman_drain(mp_obj_t unused);
static MP_DEFINE_CONST_FUN_OBJ_1(netman_drain_obj, netman_drain);

static void request_drain(void) {
    if (!mp_sched_schedule(MP_OBJ_FROM_PTR(&netman_drain_obj), mp_const_none)) {
        netman_hal_lock();
        netman_queue_drain_refused_locked();
        netman_hal_unlock();
    }
}

// The scan deadline passed: end the scan, report it, have the port stop it.
static void scan_overdue_locked(bool *schedule, bool *abort) {
    if (netman_scan_give_up_locked()) {
        netman_event_t done = { .kind = NETMAN_EV_SCAN_DONE };
        done.u.scan_status = NETMAN_SCAN_FAILED;
        *schedule |= netman_queue_push_locked(&done);
        *abort = true;
    }
}

void netman_core_post(const netman_event_t *event) {
    netman_action_t action = NETMAN_ACTION_NONE;
    netman_service_action_t sntp = NETMAN_SERVICE_NONE, mdns = NETMAN_SERVICE_NONE;
    bool schedule = false, abort_scan = false;
    netman_hal_lock();
    if (!netman_event_valid(event) || !netman_sta_hears_locked(event)) {
        netman_counters.events_rejected++;
        netman_hal_unlock();
        return;
    }
    if (event->kind == NETMAN_EV_TIMER) {
        // The port's one timer serves several deadlines (netman_timer.c).
        unsigned int passed = netman_timer_take_passed_locked();
        if (passed & (1u << NETMAN_TIMER_TICK)) {
            netman_event_t tick = { .kind = NETMAN_EV_TICK };
            schedule |= netman_queue_push_locked(&tick);
        }
        if (passed & (1u << NETMAN_TIMER_RECONNECT)) {
            action = netman_sta_reconnect_due_locked();
        }
        if (passed & (1u << NETMAN_TIMER_SNTP_RETRY)) {
            sntp = netman_sntp_retry_due_locked();
        }
        if (passed & (1u << NETMAN_TIMER_SCAN)) {
            scan_overdue_locked(&schedule, &abort_scan);
        }
    } else {
        action = netman_sta_apply_locked(event);
        bool report = netman_scan_apply_locked(event);
        netman_ap_apply_locked(event);
        #if NETMAN_ESPNOW_RADIO
        netman_espnow_apply_locked(event);
        #endif
        sntp = netman_sntp_apply_locked(event);
        mdns = netman_mdns_apply_locked(event);
        netman_channel_apply_locked(event);
        // Send completions and the idle channel are the core's own business.
        if (report && event->kind != NETMAN_EV_ESPNOW_SENT && event->kind != NETMAN_EV_RADIO_CHANNEL) {
            schedule = netman_queue_push_locked(event);
        }
    }
    netman_hal_unlock();
    if (schedule) {
        request_drain();
    }
    if (abort_scan) {
        netman_hal_scan_abort();
    }
    netman_sntp_perform(sntp);
    netman_mdns_perform(mdns);
    if (action == NETMAN_ACTION_CONNECT) {
        netman_sta_rejoin();
    }
    netman_timer_commit();
}

void netman_core_check_scan_bound(void) {
    bool schedule = false, abort_scan = false;
    netman_hal_lock();
    if (netman_timer_passed_locked(NETMAN_TIMER_SCAN)) {
        scan_overdue_locked(&schedule, &abort_scan);
    }
    netman_hal_unlock();
    if (schedule) {
        request_drain();
    }
    if (abort_scan) {
        netman_hal_scan_abort();
    }
}

static mp_obj_t event_arg(const netman_event_t *event) {
    switch (event->kind) {
        case NETMAN_EV_STA_GOT_IP: {
            mp_obj_t items[3] = {
                netman_ip_str(event->u.ip.address), netman_ip_str(event->u.ip.netmask), netman_ip_str(event->u.ip.gateway),
            };
            return mp_obj_new_tuple(3, items);
        }
        case NETMAN_EV_STA_DISCONNECTED:
            return MP_OBJ_NEW_QSTR(netman_reason_qstr(event->u.reason));
        case NETMAN_EV_RADIO_LOST:
            return MP_OBJ_NEW_QSTR(MP_QSTR_no_radio);
        case NETMAN_EV_AP_FAILED:
        case NETMAN_EV_SNTP_FAILED:
            return MP_OBJ_NEW_QSTR(netman_reason_qstr(event->u.reason));
        case NETMAN_EV_MDNS_NAME:
            return MP_OBJ_NEW_SMALL_INT(event->u.mdns_suffix);
        case NETMAN_EV_SNTP_SYNC: {
            mp_obj_t tv[2] = {
                mp_obj_new_int_from_uint(event->u.sntp.tv_sec), mp_obj_new_int_from_uint(event->u.sntp.tv_usec),
            };
            return mp_obj_new_tuple(2, tv);
        }
        case NETMAN_EV_AP_STA_CONNECTED:
        case NETMAN_EV_AP_STA_DISCONNECTED:
            return mp_obj_new_bytes(event->u.station.mac, NETMAN_MAC_LEN);
        case NETMAN_EV_AP_STA_IP_ASSIGNED:
            return netman_ip_str(event->u.station.address);
        default:
            return mp_const_none;
    }
}

// While the facade reads and changes the running network (start(),
// sta_connect(), info(), ...), events wait in the queue: a callback that
// stops the network must not do so halfway through a call. Calls nest.
static unsigned int delivery_held;

static mp_obj_t netman_drain(mp_obj_t unused) {
    (void)unused;
    netman_event_t event;
    while (!delivery_held) {
        netman_hal_lock();
        bool have = netman_queue_pop_locked(&event);
        netman_hal_unlock();
        if (!have) {
            break;
        }
        mp_obj_t dispatcher = MP_STATE_VM(netman_dispatcher);
        if (event.kind == NETMAN_EV_TICK) {
            netman_timer_tick_taken();
        }
        if (dispatcher == MP_OBJ_NULL) {
            continue;
        }
        // A callback that raises is reported and counted; delivery goes on.
        if (mp_call_function_2_protected(dispatcher, MP_OBJ_NEW_SMALL_INT(event.kind), event_arg(&event)) == MP_OBJ_NULL) {
            netman_hal_lock();
            netman_counters.callbacks_raised++;
            netman_hal_unlock();
        }
    }
    return mp_const_none;
}

void netman_core_hold(bool hold) {
    if (hold) {
        delivery_held++;
    } else if (delivery_held > 0 && --delivery_held == 0) {
        request_drain(); // what arrived meanwhile (an empty queue just ends the drain)
    }
}

void netman_core_set_dispatcher(mp_obj_t dispatcher) {
    MP_STATE_VM(netman_dispatcher) = dispatcher;
}

void netman_core_reset(void) {
    netman_queue_close();
    netman_hal_lock();
    netman_timer_reset_locked();
    netman_hal_unlock();
}
