/*
 * What the rp2 port's files share. The radio is the CYW43439 on the Pico W
 * and Pico 2 W, driven by the cyw43 driver and lwIP as MicroPython's rp2 port
 * runs them: both live at PendSV level, which is this port's driver context.
 * The MicroPython thread keeps PendSV out with pendsv_suspend() — which is
 * what netman_hal_lock(), CYW43_THREAD_ENTER and MICROPY_PY_LWIP_ENTER do —
 * and the lock is recursive, so driver-context code may take it again.
 */
#ifndef NETMAN_RP2_PORT_H
#define NETMAN_RP2_PORT_H

#include "py/obj.h"
#include "netman_hal.h"
#include "lwip/ip4_addr.h"
#include "rp2_link_rules.h"

// How often the watch turns the driver's state into events.
#define RP2_WATCH_MS (100)

// Record why a request failed (never with a secret) and return err.
netman_err_t rp2_fail(netman_err_t err, const char *text);
// True at PendSV level (a driver callback or soft timer), false in the
// MicroPython thread.
bool rp2_in_driver_context(void);
// lwIP keeps IPv4 addresses in network order; netman as a << 24 | ... | d.
uint32_t rp2_ip_from_lwip(const ip4_addr_t *addr);
void rp2_ip_to_lwip(uint32_t address, ip4_addr_t *addr);
// The radio channel an interface is on now (0 if unknown). Driver context
// or the MicroPython thread.
uint8_t rp2_channel(int itf);
// Set or read a 32-bit firmware variable ("maxassoc", "closednet") on an interface.
bool rp2_set_iovar_u32(const char *name, uint32_t value, int itf);
bool rp2_get_iovar_u32(const char *name, int itf, uint32_t *value);

// Around driver calls made from the MicroPython thread: no exception can be
// raised from inside the driver in between (netman_hal_rp2.c says why).
typedef struct {
    mp_obj_t pending;
    int interrupt_char;
} rp2_held_interrupt_t;
rp2_held_interrupt_t rp2_hold_interrupt(void);
void rp2_release_interrupt(rp2_held_interrupt_t held);

// The chip's events since the last call (rp2_events.c), for the watch.
rp2_events_t rp2_events_take(void);
// Drop what was seen of the station so far (a new join starts).
void rp2_events_forget_station(void);
// ... of scans (a new scan starts).
void rp2_events_forget_scan(void);
void rp2_events_reset(void);

// Each part's work at every watch tick (PendSV, netman's slot), and its
// reset when the network closes (MicroPython thread).
void rp2_sta_watch(uint32_t now_ms, const rp2_events_t *seen);
void rp2_sta_reset(void);
bool rp2_sta_has_address(void);
void rp2_ap_watch(uint32_t now_ms, uint32_t events);
void rp2_ap_reset(void);
bool rp2_ap_is_up(void);
void rp2_ap_restore_defaults(void);
void rp2_scan_watch(uint32_t events);
void rp2_scan_reset(void);
void rp2_sntp_watch(uint32_t now_ms);
void rp2_mdns_open(void);
// Keep the station's netif the default route whenever it has an address.
void rp2_route_watch(void);

#endif // NETMAN_RP2_PORT_H
