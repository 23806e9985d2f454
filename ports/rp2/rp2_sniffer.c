/*
 * The sniffer and raw frames on the CYW43439: not with this driver. The
 * cyw43 driver (commit 055d642) has its monitor mode compiled out
 * (cyw43_ll.c: cyw43_set_monitor_mode() sits under #if 0), hands every
 * received data frame to lwIP as Ethernet (cyw43_cb_process_ethernet), and
 * sends only Ethernet frames (cyw43_send_ethernet): no 802.11 frame reaches
 * us or leaves through it.
 */
#include "rp2_port.h"

netman_err_t netman_hal_sniffer_start(const netman_sniffer_params_t *params) {
    (void)params;
    return rp2_fail(NETMAN_ERR_UNSUPPORTED,
        "sniffer: not on rp2 (CYW43439): the cyw43 driver has no monitor mode (cyw43_ll.c)");
}

void netman_hal_sniffer_stop(void) {
}

netman_err_t netman_hal_send_raw(const uint8_t *frame, size_t len) {
    (void)frame;
    (void)len;
    return rp2_fail(NETMAN_ERR_UNSUPPORTED,
        "send_raw: not on rp2 (CYW43439): the cyw43 driver sends only Ethernet frames");
}
