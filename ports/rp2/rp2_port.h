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

#include "netman_hal.h"
#include "lwip/ip4_addr.h"

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
// Set a 32-bit firmware variable ("maxassoc", "closednet") on an interface.
bool rp2_set_iovar_u32(const char *name, uint32_t value, int itf);

// Each part's work at every watch tick (driver context), and its reset when
// the network closes (MicroPython thread).
void rp2_sta_watch(uint32_t now_ms);
void rp2_sta_reset(void);
void rp2_ap_watch(uint32_t now_ms);
void rp2_ap_reset(void);
void rp2_scan_watch(void);
void rp2_scan_reset(void);
void rp2_sntp_watch(uint32_t now_ms);
void rp2_mdns_open(void);

#endif // NETMAN_RP2_PORT_H
