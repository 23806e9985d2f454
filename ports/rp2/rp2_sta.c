/*
 * The station: joining through the cyw43 driver, and the watch's look at it
 * every tick — the driver's join state (cyw43_wifi_link_status), the lwIP
 * netif's link and address, and the chip's events since the last tick
 * (rp2_events.c). What they mean is rp2_link_rules.c's (rp2_sta_step).
 */
#include <stdio.h>
#include <string.h>

#include "py/mphal.h"
#include "py/runtime.h"
#include "extmod/modnetwork.h"
#include "lib/cyw43-driver/src/cyw43.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/netif.h"

#include "rp2_port.h"

// How long a leave before a new join may take to clear the driver's join
// state: its DISASSOC event must not land on the new join (cyw43_ctrl.c,
// cyw43_cb_process_async_event clears the join state on it).
#define LEAVE_SETTLE_MS (500)

static rp2_sta_track_t track;
static bool static_ip;          // the address is ours, not DHCP's

// A join asked for in driver context (the core's reconnect) runs in the
// MicroPython thread: the driver's join waits with the VM's event hook. The
// parameters are read from the core then, not copied here.
static bool join_pending;
static mp_sched_node_t join_node;

static struct netif *sta_netif(void) {
    return &cyw43_state.netif[CYW43_ITF_STA];
}

// Leave the AP. The driver's leave only asks the chip; the netif link goes
// down here so that lwIP (and the next join's watch) never sees a stale link.
static void leave(void) {
    cyw43_wifi_leave(&cyw43_state, CYW43_ITF_STA);
    MICROPY_PY_LWIP_ENTER
    netif_set_link_down(sta_netif());
    MICROPY_PY_LWIP_EXIT
}

static void post_connected(void) {
    netman_event_t event = { .kind = NETMAN_EV_STA_CONNECTED };
    int32_t rssi = 0;
    cyw43_wifi_get_bssid(&cyw43_state, event.u.assoc.bssid);
    cyw43_wifi_get_rssi(&cyw43_state, &rssi);
    event.u.assoc.rssi = (int8_t)rssi;
    event.u.assoc.channel = rp2_channel(CYW43_ITF_STA);
    // The driver tells no more of the AP's security than whether we gave a key.
    event.u.assoc.authmode = track.secured ? NETMAN_AUTH_WPA2_PSK : NETMAN_AUTH_OPEN;
    netman_core_post(&event);
}

static void post_got_ip(void) {
    struct netif *netif = sta_netif();
    netman_event_t event = { .kind = NETMAN_EV_STA_GOT_IP };
    event.u.ip.address = rp2_ip_from_lwip(netif_ip4_addr(netif));
    event.u.ip.netmask = rp2_ip_from_lwip(netif_ip4_netmask(netif));
    event.u.ip.gateway = rp2_ip_from_lwip(netif_ip4_gw(netif));
    const ip_addr_t *dns = dns_getserver(0);
    event.u.ip.dns = rp2_ip_from_lwip(ip_2_ip4(dns));
    netman_core_post(&event);
}

static bool has_address(void) {
    struct netif *netif = sta_netif();
    return !ip4_addr_isany_val(*netif_ip4_addr(netif)) && (static_ip || dhcp_supplied_address(netif));
}

bool rp2_sta_has_address(void) {
    return (track.phase == RP2_STA_UP || track.phase == RP2_STA_ASSOCIATED) && has_address();
}

static uint8_t join_state(void) {
    switch (cyw43_wifi_link_status(&cyw43_state, CYW43_ITF_STA)) {
        case CYW43_LINK_JOIN:
            return RP2_JOIN_ACTIVE;
        case CYW43_LINK_FAIL:
            return RP2_JOIN_FAIL;
        case CYW43_LINK_NONET:
            return RP2_JOIN_NONET;
        case CYW43_LINK_BADAUTH:
            return RP2_JOIN_BADAUTH;
        default:
            return RP2_JOIN_DOWN;
    }
}

void rp2_sta_watch(uint32_t now_ms, const rp2_events_t *seen) {
    if (track.phase == RP2_STA_IDLE) {
        return;
    }
    rp2_sta_sample_t sample = {
        .join = join_state(),
        .link_up = netif_is_link_up(sta_netif()),
        .has_address = has_address(),
        .events = seen->bits,
        .key_timeouts = seen->key_timeouts,
    };
    rp2_sta_out_t out = rp2_sta_step(&track, &sample, now_ms);
    if (out.leave) {
        leave();
    }
    netman_event_t event = { .kind = 0 };
    switch (out.kind) {
        case RP2_OUT_CONNECTED:
            post_connected();
            break;
        case RP2_OUT_GOT_IP:
            post_got_ip();
            break;
        case RP2_OUT_BEACON_TIMEOUT:
            event.kind = NETMAN_EV_STA_BEACON_TIMEOUT;
            break;
        case RP2_OUT_DISCONNECTED:
            event.kind = NETMAN_EV_STA_DISCONNECTED;
            event.u.reason = out.reason;
            break;
        default:
            break;
    }
    if (event.kind != 0) {
        netman_core_post(&event);
    }
}

static void configure_addressing(const netman_sta_params_t *params) {
    struct netif *netif = sta_netif();
    MICROPY_PY_LWIP_ENTER
    if (params->static_ip) {
        ip4_addr_t address, netmask, gateway;
        ip_addr_t dns;
        rp2_ip_to_lwip(params->ip.address, &address);
        rp2_ip_to_lwip(params->ip.netmask, &netmask);
        rp2_ip_to_lwip(params->ip.gateway, &gateway);
        rp2_ip_to_lwip(params->ip.dns, ip_2_ip4(&dns));
        IP_SET_TYPE_VAL(dns, IPADDR_TYPE_V4);
        dhcp_release_and_stop(netif);
        netif_set_addr(netif, &address, &netmask, &gateway);
        dns_setserver(0, &dns);
    } else {
        netif_set_addr(netif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4);
        // With LWIP_DHCP_CHECK_LINK_UP the client waits for the link.
        dhcp_start(netif);
    }
    MICROPY_PY_LWIP_EXIT
}

// Leave an association (ours, or one network.WLAN made) and wait, bounded,
// until the driver's join state has cleared: its DISASSOC event must not
// land on the join that follows.
static void leave_before_join(void) {
    if (!netif_is_link_up(sta_netif()) && cyw43_wifi_link_status(&cyw43_state, CYW43_ITF_STA) != CYW43_LINK_JOIN) {
        return;
    }
    leave();
    uint32_t start = mp_hal_ticks_ms();
    while (cyw43_wifi_link_status(&cyw43_state, CYW43_ITF_STA) == CYW43_LINK_JOIN
           && mp_hal_ticks_ms() - start < LEAVE_SETTLE_MS) {
        // Not mp_hal_delay_ms: it runs scheduled callbacks (netman's own
        // event delivery among them) in the middle of this join. PendSV, which
        // processes the DISASSOC event, runs meanwhile.
        mp_hal_delay_us(10000);
    }
}

// The MicroPython thread.
static netman_err_t join_now(const netman_sta_params_t *params) {
    // What the watch sees of the leave below is not the AP's doing.
    netman_hal_lock();
    rp2_sta_idle(&track);
    netman_hal_unlock();
    rp2_held_interrupt_t held = rp2_hold_interrupt();
    // DHCP sends the network module's hostname: the same one network.hostname() sets.
    snprintf(mod_network_hostname_data, sizeof(mod_network_hostname_data), "%s", params->hostname);
    leave_before_join();
    configure_addressing(params);
    rp2_events_forget_station();
    uint32_t auth = params->psk_len > 0 ? CYW43_AUTH_WPA2_MIXED_PSK : CYW43_AUTH_OPEN;
    // With a BSSID the driver joins that AP through the firmware's "join"
    // variable, on whichever channel it finds it (cyw43_ll.c, cyw43_ll_wifi_join).
    int ret = cyw43_wifi_join(&cyw43_state, params->ssid_len, params->ssid, params->psk_len, params->psk,
        auth, params->bssid_set ? params->bssid : NULL, CYW43_CHANNEL_NONE);
    rp2_release_interrupt(held);
    netman_hal_lock();
    static_ip = params->static_ip;
    if (ret == 0) {
        rp2_sta_joining(&track, params->psk_len > 0, mp_hal_ticks_ms());
    } else {
        rp2_sta_idle(&track);
    }
    netman_hal_unlock();
    return ret == 0 ? NETMAN_OK : rp2_fail(NETMAN_ERR_IO, "the WiFi chip refused to join");
}

static void join_scheduled(mp_sched_node_t *node) {
    (void)node;
    netman_hal_lock();
    bool wanted = join_pending;
    join_pending = false;
    netman_hal_unlock();
    if (!wanted) {
        return; // the network closed (rp2_sta_reset) before this ran
    }
    netman_sta_params_t params;
    netman_sta_get_params(&params);
    netman_err_t err = join_now(&params);
    memset(&params, 0, sizeof(params));
    if (err != NETMAN_OK) {
        // Nobody waits for this request's answer: the core hears it as a
        // refused join, and its reconnect policy tries again.
        netman_event_t event = { .kind = NETMAN_EV_STA_DISCONNECTED };
        event.u.reason = NETMAN_REASON_JOIN_REFUSED;
        netman_core_post(&event);
    }
}

netman_err_t netman_hal_sta_connect(const netman_sta_params_t *params) {
    if (params->eap != NULL) {
        // cyw43_ll_wifi_join() takes open, WPA/WPA2 PSK and WPA3 SAE only:
        // the driver has no 802.1X supplicant (cyw43_ll.c).
        return rp2_fail(NETMAN_ERR_UNSUPPORTED, "station: WPA2-Enterprise: not on rp2, the cyw43 driver has no 802.1X");
    }
    if (rp2_in_driver_context()) {
        netman_hal_lock();
        join_pending = true;
        netman_hal_unlock();
        mp_sched_schedule_node(&join_node, join_scheduled);
        return NETMAN_OK;
    }
    return join_now(params);
}

netman_err_t netman_hal_sta_disconnect(void) {
    // Leaving first: the watch may run inside the leave's ioctl and must
    // not read the link going down as the AP's doing.
    netman_hal_lock();
    rp2_sta_leaving(&track, mp_hal_ticks_ms());
    netman_hal_unlock();
    rp2_held_interrupt_t held = rp2_hold_interrupt();
    leave();
    rp2_release_interrupt(held);
    return NETMAN_OK;
}

netman_err_t netman_hal_sta_rssi(int8_t *rssi) {
    netman_hal_lock();
    bool associated = track.phase == RP2_STA_ASSOCIATED || track.phase == RP2_STA_UP;
    netman_hal_unlock();
    int32_t dbm = 0;
    if (!associated || cyw43_wifi_get_rssi(&cyw43_state, &dbm) != 0) {
        return rp2_fail(NETMAN_ERR_STATE, "not associated with an AP");
    }
    *rssi = (int8_t)dbm;
    return NETMAN_OK;
}

void rp2_sta_reset(void) {
    leave();
    netman_hal_lock();
    rp2_sta_idle(&track);
    static_ip = false;
    join_pending = false;
    netman_hal_unlock();
}
